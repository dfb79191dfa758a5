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
      error: "出错了：", queuing: "正在为您转接人工客服…", end: "结束会话", leaveQueue: "取消排队", attach: "发送图片/视频",
      typingBot: "智能客服正在输入…", typingAgent: (n) => `客服${n ? " " + n : ""}正在输入…`,
      tooLong: (n, max) => `已输入 ${n} 字，超出 ${n - max} 字，请删减到 ${max} 字以内再发送。`,
      count: (n, max) => `${n}/${max}`, uploading: "正在发送…", chooseAi: "智能客服解答", chooseHuman: "转人工客服",
      welcomeTitle: (s) => `欢迎光临 ${s}`, faqTitle: "常见问题", yesterday: "昨天",
      errors: { network: "网络连接失败，请检查网络，消息会自动重发。", 429: (s) => `发送太频繁了，请 ${s} 秒后再试。`,
        413: "文件太大了，请压缩后再发送。", 422: "内容不符合要求，请修改后再发送。", 403: "您暂时无法在这个会话中发消息。",
        404: "会话不存在了，请刷新页面。", 409: "现在无法进行这个操作。", 401: "会话已失效，请刷新页面。", 500: "服务暂时出了点问题，请稍后再试。" },
    },
    en: {
      title: "Customer service", connecting: "Connecting…", online: "Connected", offline: "Disconnected, reconnecting…",
      placeholder: "Type your question, Enter to send", send: "Send", you: "Me", bot: "AI assistant", agent: "Agent",
      queued: (p, eta) => `Getting you a human agent: you are number ${p} in the queue, about ${eta} to wait.`,
      withAgent: (n) => `${n || "An agent"} is helping you`, rateTitle: "How did we do?",
      satisfied: "Satisfied", unsatisfied: "Not satisfied", comment: "Anything else to tell us? (optional)", submit: "Send rating",
      thanks: "Thank you for your feedback!", failed: "Not sent yet, retrying…", minutes: (m) => `${m} min`, hours: (h) => `${h} h`, lang: "中文",
      error: "Error: ", queuing: "Getting you a human agent…", end: "End chat", leaveQueue: "Leave queue", attach: "Send a photo or video",
      typingBot: "The AI assistant is typing…", typingAgent: (n) => `${n || "The agent"} is typing…`,
      tooLong: (n, max) => `${n} characters, ${n - max} over the limit: shorten it to ${max} to send.`,
      count: (n, max) => `${n}/${max}`, uploading: "Sending…", chooseAi: "Ask the AI assistant", chooseHuman: "Talk to a person",
      welcomeTitle: (s) => `Welcome to ${s}`, faqTitle: "Common questions", yesterday: "Yesterday",
      errors: { network: "No connection: check your network; your message will be sent again automatically.", 429: (s) => `Too fast: try again in ${s} s.`,
        413: "The file is too large: send a smaller one.", 422: "That cannot be sent as it is: change it and try again.", 403: "You cannot send messages in this chat at the moment.",
        404: "This chat no longer exists: reload the page.", 409: "That cannot be done right now.", 401: "This chat has expired: reload the page.", 500: "Something went wrong on our side: try again shortly." },
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
    ts: params.get("ts") ? Number(params.get("ts")) : undefined,
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
    document.querySelectorAll("[data-i18n-title]").forEach((el) => { el.title = t(el.dataset.i18nTitle); });
    if (welcome) $("shopName").textContent = welcome.shop_name;
    $("lang").textContent = t("lang");
    document.title = t("title");
    renderBanner();
  }

  $("lang").addEventListener("click", () => {
    lang = lang === "zh" ? "en" : "zh";
    localStorage.setItem("tandem.lang", lang);
    applyLanguage();
    loadWelcome();
    updateCount();
  });

  function authHeaders() { return state && state.token ? { Authorization: "Bearer " + state.token } : {}; }

  async function api(method, path, body) {
    const form = body instanceof FormData;
    const headers = authHeaders();
    if (!form) headers["Content-Type"] = "application/json";
    let res;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : form ? body : JSON.stringify(body) });
    } catch (e) {
      const err = new Error(t("errors").network);
      err.network = true;
      throw err;
    }
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    if (!res.ok) {
      const err = new Error(friendly(res, data));
      err.status = res.status;
      err.code = data && data.error;
      throw err;
    }
    return data;
  }

  // Our own refusals (files, cool-down, blocks) come worded in the customer's language; any
  // other error is said here in the page's language, never as raw English from the server.
  const WORDED = new Set(["empty", "unsupported_type", "image_too_large", "video_too_large", "image_too_many_pixels", "corrupt_image", "no_file", "cooling_down", "contact_blocked"]);
  function friendly(res, data) {
    const code = data && data.error;
    if (code && WORDED.has(code) && data.message) return data.message;
    if (res.status === 409 && data && /[\u4e00-\u9fff]/.test(data.message || "") === (lang === "zh")) return data.message;
    const e = t("errors");
    if (res.status === 429) return e[429](res.headers.get("Retry-After") || "30");
    if (code === "invalid_input" && data && /too long|at most/.test(data.message || "")) return t("tooLong")(maxChars + 1, maxChars);
    return e[res.status] || e[500];
  }

  function fmtWait(seconds) {
    const minutes = Math.max(1, Math.round(seconds / 60));
    if (minutes >= 90) return t("hours")(Math.round(minutes / 60));
    return t("minutes")(minutes);
  }

  function renderBanner() {
    banner.classList.remove("agent");
    const text = $("bannerText");
    $("leaveQueue").classList.toggle("hidden", convState !== "queued");
    // "End chat" once there is something to end: the customer has written.
    const spoken = !!log.querySelector(".msg.customer[data-seq]");
    $("end").classList.toggle("hidden", !(state && spoken && (convState === "bot" || convState === "queued")));
    if (convState === "queued" && queue) {
      text.textContent = t("queued")(queue.position, fmtWait(queue.eta_seconds));
      banner.classList.remove("hidden");
    } else if (convState === "queued") {
      // Waiting, place not known yet: never look as if nothing happened; ask for it.
      text.textContent = t("queuing");
      banner.classList.remove("hidden");
      refreshQueue();
    } else if (convState === "agent") {
      text.textContent = t("withAgent")(agentName);
      banner.classList.add("agent");
      banner.classList.remove("hidden");
    } else {
      banner.classList.add("hidden");
    }
  }

  let asking = false;
  async function refreshQueue() {
    if (asking || !state) return;
    asking = true;
    try {
      const conv = await api("GET", `/api/v1/conversations/${state.id}`);
      if (conv.state === "queued" && conv.queue) { queue = conv.queue; renderBanner(); }
    } catch (e) { /* the next queue.updated event fills it in */ } finally { asking = false; }
  }

  // --- times in the shop's time zone (the shop's policy names it) ----------------------------
  let shopZone = "Asia/Shanghai";
  function dayKey(d) { return new Intl.DateTimeFormat("en-CA", { timeZone: shopZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(d); }
  function fmtTime(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    const locale = lang === "zh" ? "zh-CN" : "en-GB";
    const time = new Intl.DateTimeFormat(locale, { timeZone: shopZone, hour: "2-digit", minute: "2-digit", hour12: false }).format(d);
    const today = dayKey(new Date());
    const key = dayKey(d);
    if (key === today) return time;
    if (key === dayKey(new Date(Date.now() - 86400000))) return `${t("yesterday")} ${time}`;
    const date = new Intl.DateTimeFormat(locale, { timeZone: shopZone, month: "2-digit", day: "2-digit" }).format(d);
    return `${date} ${time}`;
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
    if (m.attachments && m.attachments.length) {
      el.appendChild(window.tandemAttachments.render(m.attachments, { headers: authHeaders(), alt: m.text }));
    }
    const placeholder = m.attachments && m.attachments.length && /^\[(图片|视频|Photo|Video)\]$/.test(m.text);
    if (!placeholder) {
      const body = document.createElement("span");
      body.className = "body";
      body.textContent = m.text;
      el.appendChild(body);
    }
    if (m.created_at) {
      const time = document.createElement("time");
      time.className = "time";
      time.dateTime = m.created_at;
      time.textContent = fmtTime(m.created_at);
      el.appendChild(time);
    }
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
    if (m.author === "customer") renderBanner();
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
    el.className = "msg system error";
    el.setAttribute("role", "alert");
    el.textContent = e.message;
    log.appendChild(el);
    scroll();
    if (e.code === "contact_blocked") lockComposer(e.message);
  }

  // Blocked, or no conversation could be opened: say so where the text box was.
  function lockComposer(message) {
    const notice = $("notice");
    notice.textContent = message;
    notice.classList.remove("hidden");
    ["text", "send", "file"].forEach((id) => { $(id).disabled = true; });
  }

  // --- typing: the AI or the agent is writing (ephemeral events, never stored) ---------------
  let typingTimer = null;
  function showTyping(data) {
    const box = $("typing");
    if (!data.active) { box.classList.add("hidden"); return; }
    box.textContent = data.author === "agent" ? t("typingAgent")(data.name) : t("typingBot");
    box.dataset.author = data.author;
    box.classList.remove("hidden");
    clearTimeout(typingTimer);
    // A hint only: it fades if no message follows (the writer stopped, or gave up).
    typingTimer = setTimeout(() => box.classList.add("hidden"), 8000);
  }
  function hideTyping(author) {
    const box = $("typing");
    if (!author || box.dataset.author === author) box.classList.add("hidden");
  }

  // --- welcome: the shop's name, common questions, AI or a person -----------------------------
  let welcome = null;
  function renderWelcome() {
    if (!welcome) return;
    const old = log.querySelector(".welcome");
    const box = document.createElement("div");
    box.className = "welcome";
    const title = document.createElement("strong");
    title.textContent = t("welcomeTitle")(welcome.shop_name);
    const greet = document.createElement("p");
    greet.textContent = welcome.greeting;
    box.append(title, greet);
    if (welcome.faq.length) {
      const head = document.createElement("div");
      head.className = "muted";
      head.textContent = t("faqTitle");
      const faq = document.createElement("div");
      faq.className = "quick faq";
      welcome.faq.forEach((q) => {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = q.label;
        b.addEventListener("click", () => send(q.label, q.payload));
        faq.appendChild(b);
      });
      box.append(head, faq);
    }
    const choose = document.createElement("div");
    choose.className = "choose";
    const ai = document.createElement("button");
    ai.type = "button";
    ai.dataset.choose = "ai";
    ai.textContent = t("chooseAi");
    ai.addEventListener("click", () => $("text").focus());
    const human = document.createElement("button");
    human.type = "button";
    human.className = "primary";
    human.dataset.choose = "human";
    human.textContent = t("chooseHuman");
    human.addEventListener("click", () => send(welcome.human.label, welcome.human.payload));
    choose.append(ai, human);
    box.appendChild(choose);
    if (old) old.replaceWith(box); else log.prepend(box);
  }

  async function loadWelcome() {
    try {
      welcome = await api("GET", `/api/v1/widget/welcome?lang=${lang}`);
      shopZone = welcome.timezone || shopZone;
      maxChars = welcome.max_message_chars || maxChars;
      $("shopName").textContent = welcome.shop_name;
      renderWelcome();
      log.querySelectorAll("time.time").forEach((el) => { el.textContent = fmtTime(el.dateTime); });
    } catch (e) { /* the chat works without its welcome */ }
  }

  function setState(s, extra) {
    convState = s;
    if (extra && extra.agent_name) agentName = extra.agent_name;
    if (s !== "queued") queue = null;
    renderBanner();
  }

  function onEvent(ev) {
    if (ev.type === "typing") { showTyping(ev.data); return; }
    if (ev.seq <= lastSeq) return;
    lastSeq = ev.seq;
    // The JS SDK (sdk.js) on the shop's page hears every event; only that origin receives it.
    if (window.parent !== window && params.get("host_origin")) window.parent.postMessage({ source: "tandem", event: ev }, params.get("host_origin"));
    if (ev.type === "message.created") { hideTyping(ev.data.author); renderMessage(ev.data); }
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
          hideTyping("bot");
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

  // Taps on the welcome's buttons ("转人工客服", a common question) before the conversation
  // is open: kept here and sent first once it is, never dropped.
  let early = [];
  function send(text, payload) {
    text = (text || "").trim();
    if (!text && !payload) return;
    const item = { text: text || payload, client_msg_id: crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random(), payload: payload || null };
    if (!state) { early.push(item); renderPending(item); return; }
    state.outbox.push(item);
    save();
    renderPending(item);
    flushOutbox();
  }

  // --- the text box: no silent cut of a long paste; say how much is over ----------------------
  let maxChars = 2000;
  function updateCount() {
    const n = [...$("text").value].length;
    const count = $("count");
    const over = n > maxChars;
    count.textContent = over ? t("tooLong")(n, maxChars) : n > maxChars * 0.8 ? t("count")(n, maxChars) : "";
    count.classList.toggle("over", over);
    $("text").classList.toggle("over", over);
    $("text").setAttribute("aria-invalid", over ? "true" : "false");
    if (!$("text").disabled) $("send").disabled = over;
    return !over;
  }
  $("text").addEventListener("input", updateCount);

  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const box = $("text");
    if (!updateCount()) return;
    send(box.value);
    box.value = "";
    updateCount();
    box.focus();
  });

  // --- photos and videos -------------------------------------------------------------------
  $("file").addEventListener("change", async () => {
    const input = $("file");
    const file = input.files && input.files[0];
    input.value = "";
    if (!file || !state) return;
    const caption = $("text").value.trim();
    if (caption && !updateCount()) return;
    const client_msg_id = crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();
    const pending = messageElement({ author: "customer", text: t("uploading") });
    pending.classList.add("pending");
    pending.dataset.clientId = client_msg_id;
    log.appendChild(pending);
    scroll();
    const form = new FormData();
    form.append("file", file);
    form.append("text", caption);
    form.append("client_msg_id", client_msg_id);
    try {
      const res = await api("POST", `/api/v1/conversations/${state.id}/attachments`, form);
      if (caption) { $("text").value = ""; updateCount(); }
      renderMessage(res.message);
      res.replies.forEach(renderMessage);
      setState(res.conversation.state);
      if (res.conversation.queue) { queue = res.conversation.queue; renderBanner(); }
    } catch (e) {
      // Refused: say why in the customer's language; what was typed stays in the box.
      pending.remove();
      showError(e);
    }
  });

  $("leaveQueue").addEventListener("click", async () => {
    try {
      const r = await api("POST", `/api/v1/conversations/${state.id}/leave-queue`);
      setState(r.state);
    } catch (e) { showError(e); }
  });
  $("end").addEventListener("click", async () => {
    try {
      const r = await api("POST", `/api/v1/conversations/${state.id}/close`);
      setState(r.state);
      renderRating();
    } catch (e) { showError(e); }
  });
  $("text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); $("composer").requestSubmit(); }
  });

  async function start() {
    applyLanguage();
    await loadWelcome();
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
    const tapped = new Set(early.map((item) => item.client_msg_id));
    state.outbox.push(...early);
    early = [];
    save();
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
    state.outbox.filter((item) => !tapped.has(item.client_msg_id)).forEach(renderPending);
    connect();
    // Only now is there a conversation to send to: let the customer type.
    $("text").disabled = false;
    $("send").disabled = false;
    $("file").disabled = false;
    renderBanner();
    updateCount();
    $("text").focus();
  }

  start().catch((e) => {
    showError(e);
    // No conversation (cooling down, blocked): nothing can be sent yet; say so in place.
    if (!state || e.code === "cooling_down" || e.code === "contact_blocked") lockComposer(e.message);
  });
  window.tandemChat = { get state() { return { conversation: state && state.id, lastSeq, convState }; } };
})();
