// Tandem chat widget. Embed in a shop page with one tag:
//   <script src="https://YOUR-TANDEM-HOST/widget.js" data-external-id="c0001"
//           data-signature="HMAC" data-name="张三" data-lang="zh" async></script>
// (An expiring signature adds data-ts="UNIX-SECONDS": the HMAC is then of "c0001.<ts>".)
// It adds a chat button that opens the customer chat in a panel (an iframe on the Tandem host).
(function () {
  "use strict";
  const script = document.currentScript;
  if (!script || window.__tandemWidget) return;
  window.__tandemWidget = true;
  const origin = new URL(script.src).origin;
  const params = new URLSearchParams();
  ["external-id", "signature", "ts", "name", "lang"].forEach((key) => {
    const value = script.getAttribute("data-" + key);
    if (value) params.set(key.replace("-", "_"), value);
  });
  params.set("embed", "1");
  // Chinese first; an English shop page gets the English chat unless data-lang says otherwise.
  const lang = script.getAttribute("data-lang") || ((document.documentElement.lang || "").toLowerCase().startsWith("en") ? "en" : "zh");
  params.set("lang", lang);
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = lang === "en" ? "Chat with us" : "联系客服";
  button.setAttribute("aria-label", button.textContent);
  button.style.cssText = "position:fixed;right:20px;bottom:20px;z-index:2147483000;padding:12px 18px;border-radius:24px;border:none;background:#1f6feb;color:#fff;font-size:15px;box-shadow:0 4px 14px rgba(0,0,0,.2);cursor:pointer;";
  const frame = document.createElement("iframe");
  frame.title = button.textContent;
  frame.style.cssText = "position:fixed;right:20px;bottom:76px;z-index:2147483000;width:380px;height:560px;max-height:calc(100vh - 100px);max-width:calc(100vw - 40px);border:1px solid #d8dee6;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.2);background:#fff;display:none;";
  button.addEventListener("click", () => {
    if (!frame.src) frame.src = origin + "/chat?" + params.toString();
    frame.style.display = frame.style.display === "none" ? "block" : "none";
  });
  document.body.append(frame, button);
})();
