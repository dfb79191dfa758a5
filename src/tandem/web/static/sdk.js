// Tandem JS SDK: the chat on a shop's own page, driven by the shop's own code (docs/channels.md).
//
//   <script src="https://YOUR-TANDEM-HOST/static/sdk.js"></script>
//   <script>
//     const chat = Tandem.init({ language: "zh", button: true });
//     chat.identify({ externalId: "c0001", signature: "<hex HMAC-SHA256 of c0001>", name: "张三" });
//     chat.on("message", (m) => console.log(m.author, m.text));
//     chat.on("handoff", (h) => console.log("waiting for a person", h.reason, h.ticket));
//     chat.on("rated", (r) => console.log("rated", r.rating));
//     chat.open();  chat.close();  chat.setLanguage("en");
//   </script>
//
// The chat runs in an iframe on the Tandem host; its events reach this page by postMessage,
// only to the origin the SDK names, and the SDK accepts them only from the Tandem host.
(function () {
  "use strict";
  if (window.Tandem) return;
  const script = document.currentScript;
  const defaultHost = script ? new URL(script.src).origin : location.origin;
  const LABELS = { zh: "联系客服", en: "Chat with us" };

  function init(options) {
    const opts = Object.assign({ host: defaultHost, language: "zh", button: true }, options || {});
    const host = new URL(opts.host).origin;
    const handlers = {};
    let customer = opts.customer || null;
    let language = opts.language === "en" ? "en" : "zh";
    let isOpen = false;

    const frame = document.createElement("iframe");
    frame.title = LABELS[language];
    frame.dataset.tandem = "chat";
    frame.style.cssText = "position:fixed;right:20px;bottom:76px;z-index:2147483000;width:380px;height:560px;max-height:calc(100vh - 100px);max-width:calc(100vw - 40px);border:1px solid #d8dee6;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.2);background:#fff;display:none;";
    let button = null;
    if (opts.button) {
      button = document.createElement("button");
      button.type = "button";
      button.dataset.tandem = "button";
      button.style.cssText = "position:fixed;right:20px;bottom:20px;z-index:2147483000;padding:12px 18px;border-radius:24px;border:none;background:#1f6feb;color:#fff;font-size:15px;box-shadow:0 4px 14px rgba(0,0,0,.2);cursor:pointer;";
      button.addEventListener("click", () => (isOpen ? api.close() : api.open()));
    }
    function label() {
      frame.title = LABELS[language];
      if (button) { button.textContent = LABELS[language]; button.setAttribute("aria-label", LABELS[language]); }
    }
    label();
    document.body.append(frame);
    if (button) document.body.append(button);

    function src() {
      const p = new URLSearchParams({ embed: "1", lang: language, host_origin: location.origin });
      if (customer && customer.externalId && customer.signature) {
        p.set("external_id", customer.externalId);
        p.set("signature", customer.signature);
        if (customer.ts) p.set("ts", String(customer.ts));
      }
      if (customer && customer.name) p.set("name", customer.name);
      return host + "/chat?" + p.toString();
    }
    // (Re)load the chat when it is open, or on the next open: identity and language are read
    // by the chat at start-up, and it resumes the same conversation from its own storage.
    let stale = true;
    function reload() {
      stale = true;
      if (isOpen) { frame.src = src(); stale = false; }
    }

    function emit(name, data) {
      (handlers[name] || []).slice().forEach((fn) => {
        try { fn(data); } catch (e) { setTimeout(() => { throw e; }); }
      });
    }

    window.addEventListener("message", (e) => {
      if (e.origin !== host || e.source !== frame.contentWindow) return;
      const msg = e.data;
      if (!msg || msg.source !== "tandem" || !msg.event) return;
      const ev = msg.event;
      emit("event", ev);
      if (ev.type === "message.created") emit("message", ev.data);
      else if (ev.type === "conversation.state_changed" && ev.data.state === "queued")
        emit("handoff", { reason: ev.data.reason || null, ticket: !!ev.data.ticket, conversationId: ev.conversation_id });
      else if (ev.type === "conversation.state_changed" && ev.data.state === "agent")
        emit("agent", { agentName: ev.data.agent_name || null });
      else if (ev.type === "conversation.rated") emit("rated", { rating: ev.data.rating, comment: ev.data.comment });
    });

    const api = {
      open() {
        if (stale) { frame.src = src(); stale = false; }
        frame.style.display = "block";
        if (!isOpen) { isOpen = true; emit("open", {}); }
        return api;
      },
      close() {
        frame.style.display = "none";
        if (isOpen) { isOpen = false; emit("close", {}); }
        return api;
      },
      get isOpen() { return isOpen; },
      identify(who) {
        // The signature is the hex HMAC-SHA256 of externalId with the shop's widget secret,
        // computed on the shop's server (never in the page).
        // With `ts` (Unix seconds) the HMAC is of "externalId.ts" and expires.
        customer = who ? { externalId: who.externalId, signature: who.signature, ts: who.ts, name: who.name } : null;
        reload();
        return api;
      },
      setLanguage(lang) {
        if (lang !== "zh" && lang !== "en") throw new Error('Tandem: language must be "zh" or "en"');
        language = lang;
        label();
        reload();
        return api;
      },
      on(name, fn) { (handlers[name] = handlers[name] || []).push(fn); return api; },
      off(name, fn) { handlers[name] = (handlers[name] || []).filter((f) => f !== fn); return api; },
    };
    return api;
  }

  window.Tandem = { init };
})();
