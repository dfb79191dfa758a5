// Customer chat. Every message is rendered once, by its sequence number; sending is retried
// with the same client_msg_id until the server acknowledges it, so nothing is lost or doubled.
(function () {
  "use strict";
  const I18N = {
    zh: {
      title: "在线客服", connecting: "连接中…", online: "已连接", offline: "连接已断开，正在重连…",
      placeholder: "请输入您的问题，按 Enter 发送", send: "发送", you: "我", bot: "智能客服", agent: "客服",
      queued: (p, eta) => `正在为您转接人工客服：您排在第 ${p} 位，预计等待约 ${eta}。`,
      withAgent: (n) => `客服 ${n || ""} 正在为您服务`, rateTitle: "请为本次服务评分",
      satisfied: "满意", unsatisfied: "不满意", comment: "还有什么想告诉我们的？（选填）", submit: "提交评价",
      thanks: "感谢您的评价！", failed: "发送失败，正在重试…", minutes: (m) => `${m} 分钟`, hours: (h) => `${h} 小时`, lang: "English",
      error: "出错了：",
    },
    en: {
      title: "Customer service", connecting: "Connecting…", online: "Connected", offline: "Disconnected, reconnecting…",
      placeholder: "Type your question, Enter to send", send: "Send", you: "Me", bot: "AI assistant", agent: "Agent",
      queued: (p, eta) => `Getting you a human agent: you are number ${p} in the queue, about ${eta} to wait.`,
      withAgent: (n) => `${n || "An agent"} is helping you`, rateTitle: "How did we do?",
      satisfied: "Satisfied", unsatisfied: "Not satisfied", comment: "Anything else to tell us? (optional)", submit: "Send rating",
      thanks: "Thank you for your feedback!", failed: "Not sent yet, retrying…", minutes: (m) => `${m} min`, hours: (h) => `${h} h`, lang: "中文",
      error: "Error: ",
    },
  };
  const params = new URLSearchParams(location.search);
  // Chinese first; English when the page or the customer asks for it.
  let lang = params.get("lang") || localStorage.getItem("tandem.lang") || "zh";
  if (!I18N[lang]) lang = "zh";
  const t = (k) => I18N[lang][k];
  const $ = (id) => document.getElementById(id);
  const log = $("log"), banner = $("banner"), conn = $("conn");

  const customer = {
    external_id: params.get("external_id") || undefined,
    name: params.get("name") || undefined,
    signature: params.get("signature") || undefined,
  };
  const storeKey = "tandem.chat." + (customer.external_id || "anonymous");
  let state = JSON.parse(localStorage.getItem(storeKey) || "null"); // {id, token, outbox: [...]}
  const rendered = new Map(); // seq -> element
  let lastSeq = 0;
  let convState = "bot";
  let agentName = null;
  let queue = null;
  let socket = null;
  let retryDelay = 500;

  function save() { localStorage.setItem(storeKey, JSON.stringify(state)); }

  function applyLanguage() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
    $("lang").textContent = t("lang");
    document.title = t("title");
    renderBanner();
  }

  $("lang").addEventListener("click", () => {
    lang = lang === "zh" ? "en" : "zh";
    localStorage.setItem("tandem.lang", lang);
    applyLanguage();
  });

  async function api(method, path, body) {
    const headers = { "Content-Type": "application/json" };
    if (state && state.token) headers.Authorization = "Bearer " + state.token;
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    if (!res.ok) {
      const err = new Error((data && data.message) || res.statusText);
      err.status = res.status;
      throw err;
    }
    return data;
  }

  function fmtWait(seconds) {
    const minutes = Math.max(1, Math.round(seconds / 60));
    if (minutes >= 90) return t("hours")(Math.round(minutes / 60));
    return t("minutes")(minutes);
  }

  function renderBanner() {
    banner.classList.remove("agent");
    if (convState === "queued" && queue) {
      banner.textContent = t("queued")(queue.position, fmtWait(queue.eta_seconds));
      banner.classList.remove("hidden");
    } else if (convState === "agent") {
      banner.textContent = t("withAgent")(agentName);
      banner.classList.add("agent");
      banner.classList.remove("hidden");
    } else {
      banner.classList.add("hidden");
    }
  }

  function scroll() { log.scrollTop = log.scrollHeight; }

  function messageElement(m) {
    const el = document.createElement("div");
    el.className = "msg " + m.author;
    el.dataset.author = m.author;
    if (m.author !== "system") {
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = m.author === "customer" ? t("you") : m.author === "agent" ? (m.agent_name || t("agent")) : t("bot");
      el.appendChild(who);
    }
    const body = document.createElement("span");
    body.className = "body";
    body.textContent = m.text;
    el.appendChild(body);
    if (m.quick_replies && m.quick_replies.length) {
      const box = document.createElement("div");
      box.className = "quick";
      m.quick_replies.forEach((q) => {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = q.label;
        b.addEventListener("click", () => send(q.label, q.payload));
        box.appendChild(b);
      });
      el.appendChild(box);
    }
    return el;
  }

  function renderMessage(m) {
    if (rendered.has(m.seq)) return;
    // A message we sent ourselves is already on screen as pending: confirm it in place.
    const pending = m.client_msg_id && log.querySelector(`[data-client-id="${CSS.escape(m.client_msg_id)}"]`);
    const el = messageElement(m);
    el.dataset.seq = m.seq;
    if (pending) pending.replaceWith(el);
    else {
      const after = [...log.querySelectorAll("[data-seq]")].find((x) => Number(x.dataset.seq) > m.seq);
      if (after) log.insertBefore(el, after); else log.appendChild(el);
    }
    rendered.set(m.seq, el);
    scroll();
  }

  function renderRating() {
    if (log.querySelector(".rating")) return;
    const box = document.createElement("div");
    box.className = "rating";
    const title = document.createElement("strong");
    title.textContent = t("rateTitle");
    const choices = document.createElement("div");
    choices.className = "choices";
    let chosen = null;
    ["satisfied", "unsatisfied"].forEach((value) => {
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.rating = value;
      b.textContent = t(value);
      b.addEventListener("click", () => {
        chosen = value;
        choices.querySelectorAll("button").forEach((x) => x.classList.toggle("chosen", x === b));
        submit.disabled = false;
      });
      choices.appendChild(b);
    });
    const comment = document.createElement("textarea");
    comment.placeholder = t("comment");
    comment.maxLength = 1000;
    const submit = document.createElement("button");
    submit.type = "button";
    submit.className = "primary";
    submit.textContent = t("submit");
    submit.disabled = true;
    submit.addEventListener("click", async () => {
      submit.disabled = true;
      try {
        await api("POST", `/api/v1/conversations/${state.id}/rating`, { rating: chosen, comment: comment.value || null });
        box.replaceChildren(Object.assign(document.createElement("span"), { textContent: t("thanks") }));
      } catch (e) {
        submit.disabled = false;
        showError(e);
      }
    });
    box.append(title, choices, comment, submit);
    log.appendChild(box);
    scroll();
  }

  function showError(e) {
    const el = document.createElement("div");
    el.className = "msg system";
    el.textContent = t("error") + e.message;
    log.appendChild(el);
    scroll();
  }

  function setState(s, extra) {
    convState = s;
    if (extra && extra.agent_name) agentName = extra.agent_name;
    if (s !== "queued") queue = null;
    renderBanner();
  }

  function onEvent(ev) {
    if (ev.seq <= lastSeq) return;
    lastSeq = ev.seq;
    // The JS SDK (sdk.js) on the shop's page hears every event; only that origin receives it.
    if (window.parent !== window && params.get("host_origin")) window.parent.postMessage({ source: "tandem", event: ev }, params.get("host_origin"));
    if (ev.type === "message.created") renderMessage(ev.data);
    else if (ev.type === "conversation.state_changed") {
      setState(ev.data.state, ev.data);
      if (ev.data.state !== "resolved") { const r = log.querySelector(".rating"); if (r) r.remove(); }
    } else if (ev.type === "queue.updated") { queue = ev.data; renderBanner(); }
    else if (ev.type === "conversation.rating_requested") renderRating();
    else if (ev.type === "conversation.rated") {
      const r = log.querySelector(".rating");
      if (r) r.replaceChildren(Object.assign(document.createElement("span"), { textContent: t("thanks") }));
    }
  }

  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${proto}://${location.host}/api/v1/conversations/${state.id}/events?token=${encodeURIComponent(state.token)}&after_seq=${lastSeq}`);
    socket.onopen = () => { conn.textContent = t("online"); conn.classList.remove("off"); retryDelay = 500; flushOutbox(); };
    socket.onmessage = (m) => onEvent(JSON.parse(m.data));
    socket.onclose = (e) => {
      conn.textContent = t("offline");
      conn.classList.add("off");
      if (e.code === 4403 || e.code === 4404) { localStorage.removeItem(storeKey); location.reload(); return; }
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    };
  }

  function renderPending(item) {
    const el = messageElement({ author: "customer", text: item.text });
    el.classList.add("pending");
    el.dataset.clientId = item.client_msg_id;
    log.appendChild(el);
    scroll();
  }

  let flushing = false;
  async function flushOutbox() {
    if (flushing) return;
    flushing = true;
    try {
      while (state.outbox.length) {
        const item = state.outbox[0];
        try {
          const res = await api("POST", `/api/v1/conversations/${state.id}/messages`, item);
          state.outbox.shift();
          save();
          renderMessage(res.message);
          res.replies.forEach(renderMessage);
          setState(res.conversation.state);
          if (res.conversation.queue) { queue = res.conversation.queue; renderBanner(); }
        } catch (e) {
          if (e.status && e.status >= 400 && e.status < 500 && e.status !== 429) {
            // The server refused it for a reason retrying will not fix: say so, drop it.
            state.outbox.shift();
            save();
            const el = log.querySelector(`[data-client-id="${CSS.escape(item.client_msg_id)}"]`);
            if (el) el.classList.add("failed");
            showError(e);
          } else {
            const el = log.querySelector(`[data-client-id="${CSS.escape(item.client_msg_id)}"]`);
            if (el) el.title = t("failed");
            setTimeout(() => { flushing = false; flushOutbox(); }, retryDelay);
            return;
          }
        }
      }
    } finally {
      flushing = false;
    }
  }

  function send(text, payload) {
    text = (text || "").trim();
    if (!text && !payload) return;
    const item = { text: text || payload, client_msg_id: crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random(), payload: payload || null };
    state.outbox.push(item);
    save();
    renderPending(item);
    flushOutbox();
  }

  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const box = $("text");
    send(box.value);
    box.value = "";
    box.focus();
  });
  $("text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); $("composer").requestSubmit(); }
  });

  async function start() {
    applyLanguage();
    if (state) {
      try {
        const conv = await api("GET", `/api/v1/conversations/${state.id}`);
        setState(conv.state, { agent_name: conv.agent_name });
        queue = conv.queue;
      } catch (e) {
        if (e.status === 403 || e.status === 404 || e.status === 401) state = null; else throw e;
      }
    }
    if (!state) {
      const body = { language: lang };
      if (customer.external_id) body.customer = customer;
      else if (customer.name) body.customer = { name: customer.name };
      const conv = await api("POST", "/api/v1/conversations", body);
      state = { id: conv.id, token: conv.customer_token, outbox: [] };
      save();
    }
    state.outbox = state.outbox || [];
    // History first, then the live stream picks up from the last number seen.
    let page;
    do {
      page = await api("GET", `/api/v1/conversations/${state.id}/messages?after_seq=${lastSeq}`);
      page.messages.forEach(renderMessage);
      if (page.messages.length) lastSeq = Math.max(lastSeq, page.messages[page.messages.length - 1].seq);
    } while (page.messages.length === 200);
    const conv = await api("GET", `/api/v1/conversations/${state.id}`);
    setState(conv.state, { agent_name: conv.agent_name });
    queue = conv.queue;
    renderBanner();
    if (conv.state === "resolved" && !conv.rating) renderRating();
    state.outbox.forEach(renderPending);
    connect();
    // Only now is there a conversation to send to: let the customer type.
    $("text").disabled = false;
    $("send").disabled = false;
    $("text").focus();
  }

  start().catch(showError);
  window.tandemChat = { get state() { return { conversation: state && state.id, lastSeq, convState }; } };
})();
