// Agent desk: live queue, my conversations, transcript, reply, accept/transfer/resolve.
(function () {
  "use strict";
  const I18N = {
    zh: {
      loginTitle: "客服工作台登录", username: "用户名", password: "密码", login: "登录", deskTitle: "客服工作台",
      presence: "状态", online: "在线", away: "离开", break: "休息", offline: "离线", logout: "退出",
      queue: "排队中", mine: "我的会话", pick: "从左侧选择一个会话", accept: "接入", transfer: "转接",
      handBack: "交回AI", resolve: "结束会话", send: "发送", replyPlaceholder: "回复客户，Enter 发送",
      toQueue: "退回队列", anonymous: "匿名访客", waiting: "等待", reason: "转人工原因", customer: "客户",
      state: { bot: "AI 接待中", queued: "排队中", agent: "人工服务中", resolved: "已结束" },
      reasons: { customer_request: "客户要求人工", cannot_answer: "AI 无法回答" },
      author: { customer: "客户", bot: "AI", agent: "客服", system: "系统" },
      decisions: "AI 的判断", live: "实时连接", reconnecting: "重连中…", knowledge: "知识库", lang: "English",
      position: "位置", none: "暂无", summary: "摘要", order: "订单", intents: "意图", emotion: "情绪",
      entities: "信息", tried: "AI 已做", proposal: "AI 方案", ticket: "承诺回复", flagged: "多次辱骂，已转主管",
    },
    en: {
      loginTitle: "Agent desk sign-in", username: "Username", password: "Password", login: "Sign in", deskTitle: "Agent desk",
      presence: "Status", online: "Online", away: "Away", break: "On break", offline: "Offline", logout: "Sign out",
      queue: "Queue", mine: "My conversations", pick: "Pick a conversation on the left", accept: "Accept", transfer: "Transfer",
      handBack: "Back to AI", resolve: "Resolve", send: "Send", replyPlaceholder: "Reply to the customer, Enter to send",
      toQueue: "Back to queue", anonymous: "Anonymous visitor", waiting: "waiting", reason: "Hand-off reason", customer: "Customer",
      state: { bot: "AI", queued: "Queued", agent: "With agent", resolved: "Resolved" },
      reasons: { customer_request: "Customer asked for a person", cannot_answer: "AI could not answer" },
      author: { customer: "Customer", bot: "AI", agent: "Agent", system: "System" },
      decisions: "AI decisions", live: "Live", reconnecting: "Reconnecting…", knowledge: "Knowledge", lang: "中文",
      position: "Position", none: "none", summary: "Summary", order: "Order", intents: "Intents", emotion: "Emotion",
      entities: "Details", tried: "AI tried", proposal: "AI proposal", ticket: "Promised reply", flagged: "Repeated abuse: supervisor",
    },
  };
  let lang = new URLSearchParams(location.search).get("lang") || localStorage.getItem("tandem.desk.lang") || "zh";
  if (!I18N[lang]) lang = "zh";
  const t = (k) => I18N[lang][k];
  const $ = (id) => document.getElementById(id);
  let me = null, tab = "queue", queue = [], mine = [], current = null, agents = [];
  let socket = null, retry = 500, refreshTimer = null;

  function applyLanguage() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
    document.querySelectorAll("[data-action=lang]").forEach((el) => { el.textContent = t("lang"); });
    renderList();
    if (current) renderConversation(current);
  }
  document.querySelectorAll("[data-action=lang]").forEach((el) => el.addEventListener("click", () => {
    lang = lang === "zh" ? "en" : "zh";
    localStorage.setItem("tandem.desk.lang", lang);
    applyLanguage();
  }));

  async function api(method, path, body) {
    const res = await fetch(path, { method, credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    if (!res.ok) { const e = new Error((data && data.message) || res.statusText); e.status = res.status; throw e; }
    return data;
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function ago(iso) {
    if (!iso) return "";
    const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
    return s < 60 ? `${s}s` : `${Math.round(s / 60)}min`;
  }

  function renderList() {
    $("queueCount").textContent = queue.length;
    $("mineCount").textContent = mine.length;
    $("tabQueue").classList.toggle("active", tab === "queue");
    $("tabMine").classList.toggle("active", tab === "mine");
    const list = $("list");
    list.replaceChildren();
    const items = tab === "queue" ? queue : mine;
    if (!items.length) list.appendChild(el("div", "item muted", t("none")));
    items.forEach((c) => {
      const item = el("div", "item" + (current && current.conversation.id === c.id ? " active" : ""));
      item.dataset.id = c.id;
      const row = el("div", "row");
      row.appendChild(el("strong", null, c.customer_name || c.customer_external_id || t("anonymous")));
      const pill = el("span", "pill" + (c.priority > 0 ? " hot" : ""), c.state === "queued" ? `#${c.position} · ${ago(c.queued_at)}` : t("state")[c.state]);
      row.appendChild(pill);
      item.appendChild(row);
      item.appendChild(el("div", "preview", c.last_message || ""));
      item.addEventListener("click", () => open(c.id));
      list.appendChild(item);
    });
  }

  async function refreshLists() {
    [queue, mine] = await Promise.all([api("GET", "/api/v1/desk/queue"), api("GET", "/api/v1/desk/conversations")]);
    renderList();
  }

  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => refreshLists().catch(() => {}), 150);
  }

  function messageEl(m) {
    const box = el("div", "msg " + m.author);
    box.dataset.seq = m.seq;
    if (m.author !== "system") box.appendChild(el("span", "who", m.author === "agent" ? (m.agent_name || t("author").agent) : t("author")[m.author]));
    box.appendChild(el("span", "body", m.text));
    return box;
  }

  function renderConversation(detail) {
    current = detail;
    const c = detail.conversation;
    $("empty").classList.add("hidden");
    $("conversation").classList.remove("hidden");
    $("convTitle").textContent = (c.customer_name || c.customer_external_id || t("anonymous"));
    $("convState").textContent = t("state")[c.state];
    const mineNow = c.state === "agent" && c.assigned_agent_id === me.id;
    $("accept").classList.toggle("hidden", c.state !== "queued");
    ["transfer", "transferTo", "handBack", "resolve", "replyForm"].forEach((id) => $(id).classList.toggle("hidden", !mineNow));
    const packet = $("packet");
    packet.replaceChildren();
    const add = (k, v, cls) => {
      packet.appendChild(el("dt", null, k));
      const dd = el("dd", cls || null, v);
      packet.appendChild(dd);
      return dd;
    };
    const p = c.handoff_packet;
    add(t("customer"), [c.customer_name, c.customer_external_id, p && p.customer && p.customer.tier === "vip" ? "VIP" : null].filter(Boolean).join(" · ") || t("anonymous"));
    if (c.flagged) add("⚠", t("flagged"), "warn");
    if (p) {
      add(t("summary"), p.summary || "—").dataset.field = "summary";
      add(t("reason"), p.reason_text || p.reason).dataset.field = "reason";
      if (p.ticket) add(t("ticket"), new Date(p.callback_at).toLocaleString());
      if (p.order) add(t("order"), `${p.order.order_id} · ${p.order.title} · ${p.order.status} · ${p.order.total}` + (p.order.tracking_number ? ` · ${p.order.tracking_number}` : "")).dataset.field = "order";
      if (p.intents && p.intents.length) add(t("intents"), p.intents.slice(-4).map((i) => `${i.label} ${Math.round(i.confidence * 100)}%`).join(" → "));
      if (p.emotions && p.emotions.length) add(t("emotion"), p.emotions.slice(-4).map((e) => e.label === "neutral" ? e.text : `${e.text} ${Math.round(e.intensity * 100)}%`).join(" → ")).dataset.field = "emotion";
      if (p.entities && p.entities.length) add(t("entities"), p.entities.map((e) => `${e.kind}: ${e.text}`).join("，"));
      add(t("tried"), p.tried);
      if (p.proposal) {
        const pr = p.proposal;
        add(t("proposal"), [pr.action, pr.order_id, lang === "zh" ? pr.summary_zh : pr.summary_en, pr.note].filter(Boolean).join(" · "), "proposal").dataset.field = "proposal";
      }
    } else if (c.handoff_reason) {
      add(t("reason"), t("reasons")[c.handoff_reason] || c.handoff_reason);
    }
    if (detail.decisions.length) add(t("decisions"), detail.decisions.slice(-4).map((d) => d.rule + (d.intent ? ` (${d.intent} ${Math.round((d.confidence || 0) * 100)}%)` : "")).join(" → "));
    const transcript = $("transcript");
    transcript.replaceChildren(...detail.messages.map(messageEl));
    transcript.scrollTop = transcript.scrollHeight;
    const select = $("transferTo");
    select.replaceChildren(el("option", null, t("toQueue")));
    select.firstChild.value = "";
    agents.filter((a) => a.id !== me.id && a.presence === "online").forEach((a) => {
      const o = el("option", null, `${a.display_name} (${a.active_conversations}/${a.max_concurrent})`);
      o.value = a.id;
      select.appendChild(o);
    });
    renderList();
  }

  async function open(id) {
    $("actionError").textContent = "";
    const [detail, list] = await Promise.all([api("GET", `/api/v1/desk/conversations/${id}`), api("GET", "/api/v1/desk/agents")]);
    agents = list;
    renderConversation(detail);
  }

  async function act(fn) {
    $("actionError").textContent = "";
    try { await fn(); } catch (e) { $("actionError").textContent = e.message; }
  }

  $("accept").addEventListener("click", () => act(async () => {
    await api("POST", `/api/v1/desk/conversations/${current.conversation.id}/accept`);
    tab = "mine";
    await refreshLists();
    await open(current.conversation.id);
  }));
  $("resolve").addEventListener("click", () => act(async () => {
    await api("POST", `/api/v1/desk/conversations/${current.conversation.id}/resolve`);
    await refreshLists();
    await open(current.conversation.id);
  }));
  $("handBack").addEventListener("click", () => act(async () => {
    await api("POST", `/api/v1/desk/conversations/${current.conversation.id}/hand-back`);
    await refreshLists();
    await open(current.conversation.id);
  }));
  $("transfer").addEventListener("click", () => act(async () => {
    const to = $("transferTo").value || null;
    await api("POST", `/api/v1/desk/conversations/${current.conversation.id}/transfer`, { agent_id: to });
    await refreshLists();
    await open(current.conversation.id);
  }));
  $("replyForm").addEventListener("submit", (e) => {
    e.preventDefault();
    const box = $("replyText");
    const text = box.value.trim();
    if (!text) return;
    const clientId = crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();
    act(async () => {
      await api("POST", `/api/v1/desk/conversations/${current.conversation.id}/messages`, { text, client_msg_id: clientId });
      box.value = "";
    });
  });
  $("replyText").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); $("replyForm").requestSubmit(); }
  });
  $("tabQueue").addEventListener("click", () => { tab = "queue"; renderList(); });
  $("tabMine").addEventListener("click", () => { tab = "mine"; renderList(); });
  $("presence").addEventListener("change", () => act(async () => {
    me = await api("PUT", "/api/v1/desk/presence", { presence: $("presence").value });
  }));
  $("logout").addEventListener("click", async () => {
    await api("POST", "/api/v1/auth/logout").catch(() => {});
    location.reload();
  });

  function onEvent(ev) {
    if (ev.type === "desk.ready") return;
    scheduleRefresh();
    if (!current || ev.conversation_id !== current.conversation.id) return;
    if (ev.type === "message.created") {
      const transcript = $("transcript");
      if (!transcript.querySelector(`[data-seq="${ev.seq}"]`)) {
        transcript.appendChild(messageEl(ev.data));
        transcript.scrollTop = transcript.scrollHeight;
      }
    } else if (ev.type === "conversation.state_changed") {
      open(current.conversation.id).catch(() => {});
    }
  }

  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${proto}://${location.host}/api/v1/desk/events`);
    socket.onopen = () => { $("conn").textContent = t("live"); retry = 500; refreshLists().catch(() => {}); if (current) open(current.conversation.id).catch(() => {}); };
    socket.onmessage = (m) => onEvent(JSON.parse(m.data));
    socket.onclose = (e) => {
      $("conn").textContent = t("reconnecting");
      if (e.code === 4401) { location.reload(); return; }
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    };
  }

  async function enter() {
    $("login").classList.add("hidden");
    $("app").classList.remove("hidden");
    $("me").textContent = `${me.display_name} (${me.username})`;
    $("presence").value = me.presence;
    $("kbLink").classList.toggle("hidden", !(me.role === "supervisor" || me.role === "admin"));
    if (me.presence === "offline") {
      me = await api("PUT", "/api/v1/desk/presence", { presence: "online" });
      $("presence").value = me.presence;
    }
    agents = await api("GET", "/api/v1/desk/agents");
    await refreshLists();
    connect();
  }

  $("login").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("loginError").textContent = "";
    try {
      const res = await api("POST", "/api/v1/auth/login", { username: $("username").value, password: $("password").value });
      me = res.account;
      await enter();
    } catch (err) {
      $("loginError").textContent = err.message;
    }
  });

  async function start() {
    applyLanguage();
    try {
      me = await api("GET", "/api/v1/auth/me");
      await enter();
    } catch (e) {
      $("login").classList.remove("hidden");
    }
  }
  start();
})();
