// Photos and videos on messages, for the customer chat and the desk. Files are fetched with
// the caller's credentials (the customer's token, or the desk's session cookie) and shown from
// a local blob URL, so no token ever goes into an address bar or a log.
(function () {
  "use strict";
  const cache = new Map(); // url -> Promise<blob URL>
  function load(url, headers) {
    if (!cache.has(url)) {
      cache.set(url, fetch(url, { headers: headers || {}, credentials: "same-origin" }).then((r) => {
        if (!r.ok) throw new Error(String(r.status));
        return r.blob();
      }).then((b) => URL.createObjectURL(b)).catch((e) => { cache.delete(url); throw e; }));
    }
    return cache.get(url);
  }
  // Renders `attachments` into a new element; `opts.headers` authorises the fetch, `opts.hidden`
  // (a masked message in the desk) blurs images until clicked.
  function render(attachments, opts) {
    opts = opts || {};
    const box = document.createElement("div");
    box.className = "attachments";
    (attachments || []).forEach((a) => {
      const item = document.createElement(a.kind === "video" ? "div" : "a");
      item.className = "attachment " + a.kind;
      item.dataset.attachmentId = a.id;
      if (a.kind === "video") {
        const video = document.createElement("video");
        video.controls = true;
        video.preload = "metadata";
        video.playsInline = true;
        load(a.url, opts.headers).then((src) => { video.src = src; }).catch(() => item.classList.add("broken"));
        item.appendChild(video);
      } else {
        const img = document.createElement("img");
        img.alt = opts.alt || "";
        if (a.width && a.height) { img.width = Math.min(220, a.width); img.style.aspectRatio = `${a.width} / ${a.height}`; }
        if (opts.hidden) item.classList.add("veiled");
        load(a.thumbnail_url || a.url, opts.headers).then((src) => { img.src = src; }).catch(() => item.classList.add("broken"));
        item.href = "#";
        item.addEventListener("click", (e) => {
          e.preventDefault();
          if (item.classList.contains("veiled")) { item.classList.remove("veiled"); return; }
          load(a.url, opts.headers).then((src) => window.open(src, "_blank", "noopener"));
        });
        item.appendChild(img);
      }
      box.appendChild(item);
    });
    return box;
  }
  window.tandemAttachments = { render };
})();
