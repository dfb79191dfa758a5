// Contact blocks for supervisors (tandem.contacts): a "block" button on the desk's open
// conversation, and the list of blocks with "lift" on the supervisor page. Who, when and why
// are recorded by the server.
(function () {
  "use strict";
  const zh = () => !(document.documentElement.lang || "").startsWith("en");
  const T = {
    block: () => (zh() ? "拉黑顾客" : "Block contact"),
    reason: () => (zh() ? "拉黑原因（会被记录）：" : "Why block this contact? (recorded)"),
    blocked: (b) => (zh() ? `已拉黑（${b.kind === "ip" ? "IP " : "顾客 "}${b.value}）` : `Blocked (${b.kind} ${b.value})`),
    lift: () => (zh() ? "解除" : "Lift"),
    liftReason: () => (zh() ? "解除原因（会被记录）：" : "Why lift the block? (recorded)"),
    none: () => (zh() ? "没有被拉黑的联系人" : "No blocked contacts"),
  };
  async function api(method, path, body) {
    const res = await fetch(path, { method, credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = await res.json().catch(() => null);
    if (!res.ok) throw new Error((data && data.message) || res.statusText);
    return data;
  }
  let me = null;
  async function whoAmI() {
    if (!me) me = await api("GET", "/api/v1/auth/me").catch(() => null);
    return me;
  }
  const supervisor = (a) => a && (a.role === "supervisor" || a.role === "admin");

  // The desk: a button beside "resolve", for supervisors only.
  const head = document.querySelector(".convhead");
  if (head && window.tandemDesk) {
    const button = document.createElement("button");
    button.id = "blockContact";
    button.type = "button";
    button.className = "danger hidden";
    head.appendChild(button);
    const refresh = async () => {
      button.textContent = T.block();
      const current = window.tandemDesk.state().current;
      button.classList.toggle("hidden", !(current && supervisor(await whoAmI())));
    };
    new MutationObserver(refresh).observe(document.getElementById("convTitle"), { childList: true, characterData: true, subtree: true });
    button.addEventListener("click", async () => {
      const current = window.tandemDesk.state().current;
      const reason = current && window.prompt(T.reason());
      if (!reason) return;
      const out = document.getElementById("actionError");
      try {
        const b = await api("POST", "/api/v1/contacts/blocks", { conversation_id: current.conversation.id, reason });
        out.textContent = T.blocked(b);
      } catch (e) { out.textContent = e.message; }
    });
  }

  // The supervisor page: every active block, each liftable.
  const list = document.getElementById("blocks");
  if (list) {
    const load = async () => {
      const blocks = await api("GET", "/api/v1/contacts/blocks").catch(() => []);
      list.replaceChildren();
      if (!blocks.length) { const p = document.createElement("p"); p.className = "muted"; p.textContent = T.none(); list.appendChild(p); }
      blocks.forEach((b) => {
        const row = document.createElement("div");
        row.className = "alert";
        row.dataset.blockId = b.id;
        const text = document.createElement("span");
        text.textContent = `${b.kind === "ip" ? "IP" : zh() ? "顾客" : "Customer"} ${b.value} · ${b.reason} · ${window.shopTime.full(b.blocked_at, zh() ? "zh" : "en")} `;
        const lift = document.createElement("button");
        lift.type = "button";
        lift.textContent = T.lift();
        lift.addEventListener("click", async () => {
          const reason = window.prompt(T.liftReason());
          if (reason === null) return;
          await api("POST", `/api/v1/contacts/blocks/${b.id}/unblock`, { reason }).catch(() => {});
          load();
        });
        row.append(text, lift);
        list.appendChild(row);
      });
    };
    load();
  }
})();
