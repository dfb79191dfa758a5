// Agent desk: conversations assigned automatically, the queue, the hand-off packet above the
// transcript (abusive words masked, revealable one at a time), the copilot, the customer's
// orders and the shop's proposals beside the chat, break suggestions and the day's figures.
// All text goes through textContent.
(function () {
  "use strict";
  const I18N = {
    zh: {
      signInAgain: "登录已过期，请重新登录。", loginTitle: "客服工作台登录", username: "用户名", password: "密码", login: "登录", deskTitle: "客服工作台",
      presence: "状态", online: "在线", away: "离开", break: "休息", offline: "离线", logout: "退出",
      queue: "排队中", mine: "我的会话", pick: "从左侧选择一个会话", accept: "接入", transfer: "转接",
      escalate: "升级主管", handBack: "交回AI", resolve: "结束会话", send: "发送", replyPlaceholder: "回复客户，Enter 发送",
      toQueue: "退回队列", anonymous: "匿名访客", waiting: "等待", reason: "转人工原因", customer: "客户",
      state: { bot: "AI 接待中", queued: "排队中", agent: "人工服务中", resolved: "已结束" },
      reasons: { customer_request: "客户要求人工", cannot_answer: "AI 无法回答" },
      author: { customer: "客户", bot: "AI", agent: "客服", system: "系统" },
      decisions: "AI 的判断", live: "实时连接", reconnecting: "重连中…", knowledge: "知识库", lang: "English",
      position: "位置", none: "暂无", summary: "摘要", order: "订单", intents: "意图", emotion: "情绪",
      entities: "信息", tried: "AI 已做", proposal: "AI 方案", ticket: "承诺回复", flagged: "多次辱骂，已转主管",
      leftFlagged: "客户多次辱骂，这个会话已转主管处理，您不用再回复。", leftQueued: "这个会话已回到队列，由其他同事接待。",
      leftTo: (n) => `这个会话已转给 ${n}。`, leftMoved: "这个会话已不在您这里了。",
      supervisor: "主管看板", copilot: "智能助手建议", canned: "快捷回复", orders: "客户订单", proposals: "待审批方案",
      reveal: "显示原文", masked: "已遮挡", fromKb: "知识库", fromColleagues: "同事答法", noSuggestions: "暂无建议",
      noOrders: "没有订单", approve: "批准", reject: "驳回", amount: "金额（元）", note: "说明",
      refund: "退款", cancel: "取消订单", urge: "催发货", return: "退货",
      skill: { pre_sale: "售前组", after_sale: "售后组", logistics: "物流组", vip: "VIP 组", zh: "中文组", en: "英文组", supervisor: "主管" },
      toSkill: "转给", toAgent: "转给同事",
      figures: (f) => `今日结单 ${f.closed} · 好评率 ${f.positive_rate == null ? "—" : Math.round(f.positive_rate * 100) + "%"} · 平均处理 ${f.avg_handle_seconds == null ? "—" : Math.max(1, Math.round(f.avg_handle_seconds / 60)) + " 分钟"}`,
      breakText: (r) => `建议休息一下${r ? "：" + r : ""}。休息期间不会分配新会话，您手上的会话会交给同事。`,
      reasonsBreak: { sustained_hostile_load: "近期接待了较多情绪激烈或辱骂的客户", critical_hostile_load: "近期承受的辱骂压力很大", long_at_capacity: "长时间满负荷工作", break_suggestion_not_taken: "建议休息已有一段时间" },
      takeBreak: "休息 15 分钟", later: "稍后", breakUntil: (t) => `休息至 ${t}`,
      verdict: { allowed: "已办理", declined: "未通过", needs_approval: "需审批", needs_evidence: "需凭证", needs_info: "需补充信息" },
      notifyOn: "开启桌面提醒", keys: "快捷键", close: "关闭", back: "‹ 列表", transferNote: "转接备注（给同事）",
      customerCard: "客户", addTag: "加标签", add: "添加", history: "历史会话", notes: "内部备注（客户看不到）", notePlaceholder: "写给同事的备注，客户看不到",
      member: "会员", visitor: "访客", tier: { vip: "VIP", normal: "普通会员", new: "新客户" }, noHistory: "没有其他会话", ordersCount: (n) => `${n} 个订单`, convCount: (n) => `共 ${n} 次咨询`,
      noteKind: { note: "备注", transfer: "转接备注" }, waitingNow: (d) => `客户已等 ${d}`, answered: "已回复", queuedFor: (d) => `排队等了 ${d}`, unread: "未读",
      newChat: "新会话", newChatBody: (n) => `${n} 的会话已分配给您`, newMessage: (n) => `${n} 发来新消息`,
      toast: { accepted: "已接入", resolved: "会话已结束", transferred: "已转接", escalated: "已升级给主管", handedBack: "已交回 AI", noted: "备注已保存", tagged: "标签已添加", network: "网络连接失败，请检查网络后重试", conflict: "操作未完成：会话状态已变化，已为您刷新", forbidden: "您没有权限进行这个操作", invalid: "输入有误，请检查后重试", server: "服务器暂时出错，请稍后重试" },
      keyList: [["Alt + J / Alt + ↓", "下一个会话"], ["Alt + K / Alt + ↑", "上一个会话"], ["Alt + A", "接入当前会话"], ["Alt + 1…9", "插入第 N 条快捷回复"], ["Alt + E", "结束会话"], ["Alt + N", "写内部备注"], ["?", "显示快捷键"]],
    },
    en: {
      signInAgain: "Your session has ended: please sign in again.", loginTitle: "Agent desk sign-in", username: "Username", password: "Password", login: "Sign in", deskTitle: "Agent desk",
      presence: "Status", online: "Online", away: "Away", break: "On break", offline: "Offline", logout: "Sign out",
      queue: "Queue", mine: "My conversations", pick: "Pick a conversation on the left", accept: "Claim", transfer: "Transfer",
      escalate: "Escalate", handBack: "Back to AI", resolve: "Resolve", send: "Send", replyPlaceholder: "Reply to the customer, Enter to send",
      toQueue: "Back to queue", anonymous: "Anonymous visitor", waiting: "waiting", reason: "Hand-off reason", customer: "Customer",
      state: { bot: "AI", queued: "Queued", agent: "With agent", resolved: "Resolved" },
      reasons: { customer_request: "Customer asked for a person", cannot_answer: "AI could not answer" },
      author: { customer: "Customer", bot: "AI", agent: "Agent", system: "System" },
      decisions: "AI decisions", live: "Live", reconnecting: "Reconnecting…", knowledge: "Knowledge", lang: "中文",
      position: "Position", none: "none", summary: "Summary", order: "Order", intents: "Intents", emotion: "Emotion",
      entities: "Details", tried: "AI tried", proposal: "AI proposal", ticket: "Promised reply", flagged: "Repeated abuse: supervisor",
      leftFlagged: "After repeated abuse this chat went to a supervisor: you need not reply.", leftQueued: "This chat went back to the queue for a colleague.",
      leftTo: (n) => `This chat is now with ${n}.`, leftMoved: "This chat is no longer yours.",
      supervisor: "Supervisor view", copilot: "Copilot", canned: "Canned replies", orders: "Customer's orders", proposals: "Proposals to decide",
      reveal: "Show original", masked: "masked", fromKb: "Knowledge", fromColleagues: "Colleagues", noSuggestions: "No suggestions",
      noOrders: "No orders", approve: "Approve", reject: "Reject", amount: "Amount (yuan)", note: "Note",
      refund: "Refund", cancel: "Cancel", urge: "Urge shipping", return: "Return",
      skill: { pre_sale: "Pre-sale", after_sale: "After-sale", logistics: "Logistics", vip: "VIP", zh: "Chinese", en: "English", supervisor: "Supervisor" },
      toSkill: "To", toAgent: "To colleague",
      figures: (f) => `Closed today ${f.closed} · positive ${f.positive_rate == null ? "—" : Math.round(f.positive_rate * 100) + "%"} · avg handling ${f.avg_handle_seconds == null ? "—" : Math.max(1, Math.round(f.avg_handle_seconds / 60)) + " min"}`,
      breakText: (r) => `Time for a break${r ? ": " + r : ""}. You get no new conversations on a break; yours go to colleagues.`,
      reasonsBreak: { sustained_hostile_load: "you have had many angry or abusive customers lately", critical_hostile_load: "you have taken a lot of abuse lately", long_at_capacity: "you have been at full load for a long time", break_suggestion_not_taken: "a break was suggested a while ago" },
      takeBreak: "Take 15 minutes", later: "Later", breakUntil: (t) => `On break until ${t}`,
      verdict: { allowed: "Done", declined: "Declined", needs_approval: "Needs approval", needs_evidence: "Needs evidence", needs_info: "Needs details" },
      notifyOn: "Turn on desktop alerts", keys: "Shortcuts", close: "Close", back: "‹ List", transferNote: "Note for the colleague",
      customerCard: "Customer", addTag: "Add a tag", add: "Add", history: "Past conversations", notes: "Internal notes (hidden from the customer)", notePlaceholder: "A note for colleagues; the customer never sees it",
      member: "Member", visitor: "Visitor", tier: { vip: "VIP", normal: "Member", new: "New customer" }, noHistory: "No other conversations", ordersCount: (n) => `${n} order${n === 1 ? "" : "s"}`, convCount: (n) => `${n} conversation${n === 1 ? "" : "s"} in all`,
      noteKind: { note: "Note", transfer: "Transfer note" }, waitingNow: (d) => `Customer waiting ${d}`, answered: "Answered", queuedFor: (d) => `Queued for ${d}`, unread: "unread",
      newChat: "New conversation", newChatBody: (n) => `${n} was assigned to you`, newMessage: (n) => `New message from ${n}`,
      toast: { accepted: "Claimed", resolved: "Conversation resolved", transferred: "Transferred", escalated: "Escalated to a supervisor", handedBack: "Handed back to the AI", noted: "Note saved", tagged: "Tag added", network: "No connection: check the network and try again", conflict: "Not done: the conversation changed, the view is refreshed", forbidden: "You are not allowed to do this", invalid: "Something in the input is wrong: check it and try again", server: "Server error: try again in a moment" },
      keyList: [["Alt + J / Alt + ↓", "Next conversation"], ["Alt + K / Alt + ↑", "Previous conversation"], ["Alt + A", "Claim this conversation"], ["Alt + 1…9", "Insert canned reply N"], ["Alt + E", "Resolve"], ["Alt + N", "Write an internal note"], ["?", "Show shortcuts"]],
    },
  };
  const SKILLS = ["pre_sale", "after_sale", "logistics", "vip", "en", "supervisor"];
  let lang = new URLSearchParams(location.search).get("lang") || localStorage.getItem("tandem.desk.lang") || "zh";
  if (!I18N[lang]) lang = "zh";
  const t = (k) => I18N[lang][k];
  const $ = (id) => document.getElementById(id);
  let me = null, tab = "mine", queue = [], mine = [], current = null, agents = [];
  let socket = null, retry = 500, refreshTimer = null, lastBreak = null, flaggedNow = null, passing = null;
  // Unread customer messages per conversation, the conversations already announced (a new or
  // returned one rings once), and the customer card of the open conversation.
  const unread = {};
  let known = null, customerInfo = null, audio = null;

  function applyLanguage() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
    document.querySelectorAll("[data-action=lang]").forEach((el) => { el.textContent = t("lang"); });
    renderList();
    if (current) renderConversation(current);
    if (lastBreak) showBreak(lastBreak);
    if (me) refreshFigures().catch(() => {});
  }
  document.querySelectorAll("[data-action=lang]").forEach((el) => el.addEventListener("click", () => {
    lang = lang === "zh" ? "en" : "zh";
    localStorage.setItem("tandem.desk.lang", lang);
    applyLanguage();
  }));

  async function api(method, path, body) {
    const res = await fetch(path, { method, credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    if (res.status === 401 && path !== "/api/v1/auth/login" && path !== "/api/v1/auth/me") signedOut();
    if (!res.ok) { const e = new Error((data && data.message) || res.statusText); e.status = res.status; throw e; }
    return data;
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // How long ago, in the desk's language (it read "807min" in the Chinese desk).
  function ago(iso) {
    return iso ? duration((Date.now() - new Date(iso).getTime()) / 1000) : "";
  }

  const hhmm = (iso) => window.shopTime.hhmm(iso);

  function duration(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return lang === "zh" ? `${s} 秒` : `${s}s`;
    const m = Math.floor(s / 60), r = s % 60;
    if (m < 60) return lang === "zh" ? `${m} 分 ${String(r).padStart(2, "0")} 秒` : `${m}m ${String(r).padStart(2, "0")}s`;
    return lang === "zh" ? `${Math.floor(m / 60)} 小时 ${m % 60} 分` : `${Math.floor(m / 60)}h ${m % 60}m`;
  }

  // The customer as a person: the shop's name, else "会员 c0003" / "访客 1a2b" (never a bare id).
  function who(c) {
    if (c.customer_name) return c.customer_name;
    if (c.customer_external_id) return `${t("member")} ${c.customer_external_id}`;
    return `${t("visitor")} ${String(c.id || "").slice(-4)}`;
  }

  // --- toasts, sound, desktop notifications ---------------------------------------------------

  // Server messages are often "中文 / English": show the desk's half.
  function localized(message) {
    const parts = String(message || "").split(" / ");
    if (parts.length === 2) return lang === "zh" ? parts[0] : parts[1];
    return message;
  }

  function toast(text, kind) {
    const box = el("div", "toast " + (kind || "ok"), text);
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    $("toasts").appendChild(box);
    setTimeout(() => box.remove(), kind === "error" ? 7000 : 3000);
  }

  function errorText(e) {
    if (!e || e.status === undefined) return t("toast").network;
    const map = t("toast");
    const own = e.message && e.message !== "Error" ? localized(e.message) : null;
    if (e.status >= 500) return map.server;
    if (lang === "zh" && own && !/[\u4e00-\u9fff]/.test(own)) {
      return e.status === 409 ? map.conflict : e.status === 403 ? map.forbidden : map.invalid;
    }
    return own || (e.status === 409 ? map.conflict : e.status === 403 ? map.forbidden : map.invalid);
  }

  // A short two-note chime made on the spot (no sound file): browsers allow it after the first
  // click or key press in the page, which is when the context is made.
  function unlockAudio() {
    if (audio || !(window.AudioContext || window.webkitAudioContext)) return;
    audio = new (window.AudioContext || window.webkitAudioContext)();
  }
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });
  function chime() {
    if (!audio) return;
    const now = audio.currentTime;
    [[880, 0], [1320, 0.16]].forEach(([freq, at]) => {
      const osc = audio.createOscillator(), gain = audio.createGain();
      osc.type = "sine"; osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + at);
      gain.gain.exponentialRampToValueAtTime(0.25, now + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.3);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + at); osc.stop(now + at + 0.32);
    });
    window.tandemDeskChimes = (window.tandemDeskChimes || 0) + 1;
  }

  function notify(title, body, id) {
    chime();
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const n = new Notification(title, { body, tag: id });
    n.onclick = () => { window.focus(); open(id).catch(() => {}); n.close(); };
  }

  function showNotifyButton() {
    $("notifyOn").classList.toggle("hidden", !("Notification" in window) || Notification.permission !== "default");
  }
  $("notifyOn").addEventListener("click", async () => {
    await Notification.requestPermission().catch(() => {});
    showNotifyButton();
  });

  // New or returned conversations in "mine" ring once and raise a desktop notification.
  function announce(list) {
    const ids = new Set(list.map((c) => c.id));
    if (known !== null) {
      list.filter((c) => !known.has(c.id)).forEach((c) => {
        unread[c.id] = Math.max(unread[c.id] || 0, 1);
        notify(t("newChat"), t("newChatBody")(who(c)), c.id);
      });
    }
    known = ids;
  }

  function updateTitle() {
    const n = Object.values(unread).reduce((a, b) => a + b, 0);
    document.title = (n ? `(${n}) ` : "") + t("deskTitle");
  }

  // The time since the customer's last unanswered message, ticking.
  function waitingSince(detail) {
    let since = null;
    for (const m of detail.messages) {
      if (m.author === "customer") { if (since === null) since = m.created_at; }
      else if (m.author === "agent") since = null;
    }
    return since;
  }

  function updateTimer(detail) {
    const c = detail.conversation;
    const timer = $("convTimer");
    const since = c.state === "agent" ? waitingSince(detail) : null;
    timer.dataset.since = since || "";
    timer.dataset.prefix = "wait";
    timer.textContent = since ? "" : (c.state === "agent" ? t("answered") : "");
    timer.classList.toggle("late", !!since && Date.now() - new Date(since).getTime() > 120000);
    tick();
  }

  function tick() {
    document.querySelectorAll("[data-since]").forEach((node) => {
      const since = node.dataset.since;
      if (!since) return;
      node.textContent = (node.dataset.prefix === "wait" ? t("waitingNow") : (d) => d)(duration((Date.now() - new Date(since).getTime()) / 1000));
    });
  }
  setInterval(tick, 1000);

  // --- lists ---------------------------------------------------------------------------------

  function renderList() {
    $("queueCount").textContent = queue.length;
    $("mineCount").textContent = mine.length;
    $("tabQueue").classList.toggle("active", tab === "queue");
    $("tabMine").classList.toggle("active", tab === "mine");
    const list = $("list");
    list.replaceChildren();
    const items = tab === "queue" ? queue : mine;
    if (!items.length) list.appendChild(el("div", "item muted", t("none")));
    updateTitle();
    items.forEach((c) => {
      const item = el("div", "item" + (current && current.conversation.id === c.id ? " active" : ""));
      item.dataset.id = c.id;
      const row = el("div", "row");
      const name = el("strong", null, who(c));
      row.appendChild(name);
      if (c.customer_tier === "vip") row.appendChild(el("span", "pill vip", "VIP"));
      if (unread[c.id]) {
        const badge = el("span", "badge", String(unread[c.id]));
        badge.title = t("unread");
        row.appendChild(badge);
      }
      if (c.skill) row.appendChild(el("span", "pill skill", t("skill")[c.skill] || c.skill));
      const pill = el("span", "pill" + (c.priority > 0 || c.flagged ? " hot" : ""), c.state === "queued" ? `#${c.position} · ${ago(c.queued_at)}` : t("state")[c.state]);
      row.appendChild(pill);
      item.appendChild(row);
      item.appendChild(el("div", "preview", c.last_message || ""));
      if (c.last_customer_at && c.state === "agent") {
        const since = el("div", "since muted");
        since.dataset.since = c.last_customer_at;
        item.appendChild(since);
      }
      (c.tags || []).forEach((tg) => item.appendChild(el("span", "pill tag", tg)));
      item.addEventListener("click", () => open(c.id).catch((e) => toast(errorText(e), "error")));
      list.appendChild(item);
    });
  }

  async function refreshLists() {
    [queue, mine] = await Promise.all([api("GET", "/api/v1/desk/queue"), api("GET", "/api/v1/desk/conversations")]);
    announce(mine);
    renderList();
    tick();
  }

  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => refreshLists().catch(() => {}), 150);
  }

  async function refreshFigures() {
    const f = await api("GET", "/api/v1/desk/me/figures");
    const box = $("figures");
    box.textContent = t("figures")(f);
    box.dataset.closed = f.closed;
  }

  // --- the conversation ----------------------------------------------------------------------

  function messageEl(m) {
    const box = el("div", "msg " + m.author);
    box.dataset.seq = m.seq;
    box.dataset.id = m.id;
    if (m.author !== "system") box.appendChild(el("span", "who", m.author === "agent" ? (m.agent_name || t("author").agent) : t("author")[m.author]));
    const body = el("span", "body");
    if (m.masked && m.segments) {
      box.classList.add("masked");
      m.segments.forEach((p) => {
        if (p.masked) {
          const kind = (lang === "zh" ? { insult: "辱骂", profanity: "脏话", threat: "威胁", harassment: "骚扰", discrimination: "歧视", expletive: "粗口" } : {})[p.kind] || p.kind;
          body.appendChild(el("span", "maskspan", lang === "zh" ? `【${kind}】` : `[${kind}]`));
        } else {
          body.appendChild(document.createTextNode(p.text));
        }
      });
      box.appendChild(body);
      const btn = el("button", "reveal", t("reveal"));
      btn.type = "button";
      btn.addEventListener("click", () => act(async () => {
        const r = await api("POST", `/api/v1/desk/conversations/${current.conversation.id}/messages/${m.id}/reveal`);
        body.textContent = r.text;
        box.classList.remove("masked");
        box.classList.add("revealed");
        btn.remove();
      }));
      box.appendChild(btn);
    } else {
      body.textContent = m.text;
      box.appendChild(body);
    }
    // Photos and videos (tandem.attachments); a masked message's images stay blurred until clicked.
    if (m.attachments && m.attachments.length) box.appendChild(window.tandemAttachments.render(m.attachments, { hidden: m.masked }));
    return box;
  }

  function renderConversation(detail) {
    current = detail;
    const c = detail.conversation;
    $("empty").classList.add("hidden");
    $("conversation").classList.remove("hidden");
    $("convTitle").textContent = who(c) + (c.customer_tier === "vip" ? " · VIP" : "");
    $("convState").textContent = t("state")[c.state] + (c.waited_seconds ? ` · ${t("queuedFor")(duration(c.waited_seconds))}` : "");
    updateTimer(detail);
    document.querySelector(".desk").classList.add("open");
    const mineNow = c.state === "agent" && (c.assigned_agent_id === me.id || me.role !== "agent");
    $("accept").classList.toggle("hidden", c.state !== "queued");
    ["transfer", "transferTo", "transferNote", "escalate", "handBack", "resolve", "replyForm"].forEach((id) => $(id).classList.toggle("hidden", !mineNow));
    $("side").classList.toggle("hidden", !mineNow);
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
      if (p.ticket) add(t("ticket"), window.shopTime.full(p.callback_at, lang));
      if (p.order) add(t("order"), `${p.order.order_id} · ${p.order.title} · ${p.order.status} · ${p.order.total}` + (p.order.tracking_number ? ` · ${p.order.tracking_number}` : "")).dataset.field = "order";
      if (p.intents && p.intents.length) add(t("intents"), p.intents.slice(-4).map((i) => `${i.text || i.label} ${Math.round(i.confidence * 100)}%`).join(" → "));
      // The emotion the engine would act on (a weak guess reads calm); the readings in the tooltip.
      if (p.emotion || (p.emotions && p.emotions.length)) {
        const shown = p.emotion || p.emotions[p.emotions.length - 1];
        const dd = add(t("emotion"), shown.label === "neutral" ? shown.text : `${shown.text} ${Math.round(shown.intensity * 100)}%`, shown.label === "neutral" ? null : "warn");
        dd.dataset.field = "emotion";
        dd.dataset.label = shown.label;
        if (p.emotions) dd.title = p.emotions.slice(-4).map((e) => e.label === "neutral" ? e.text : `${e.text} ${Math.round(e.intensity * 100)}%`).join(" → ");
      }
      if (p.entities && p.entities.length) add(t("entities"), p.entities.map((e) => `${e.kind}: ${e.text}`).join("，"));
      add(t("tried"), p.tried);
      if (p.attachments && p.attachments.length) add(lang === "zh" ? "凭证" : "Evidence", "").appendChild(window.tandemAttachments.render(p.attachments)).dataset.field = "attachments";
      if (p.proposal) {
        const pr = p.proposal;
        add(t("proposal"), [pr.action, pr.order_id, lang === "zh" ? pr.summary_zh : pr.summary_en, pr.note].filter(Boolean).join(" · "), "proposal").dataset.field = "proposal";
      }
    } else if (c.handoff_reason) {
      add(t("reason"), t("reasons")[c.handoff_reason] || c.handoff_reason);
    }
    if (detail.decisions.length) add(t("decisions"), detail.decisions.slice(-4).map((d) => d.rule + (d.intent ? ` (${d.intent} ${Math.round((d.confidence || 0) * 100)}%)` : "")).join(" → "));
    renderNotes(detail.notes || []);
    renderTags(c.tags || []);
    renderHistory(detail.history || []);
    const transcript = $("transcript");
    transcript.replaceChildren(...detail.messages.map(messageEl));
    transcript.scrollTop = transcript.scrollHeight;
    const select = $("transferTo");
    select.replaceChildren(el("option", null, t("toQueue")));
    select.firstChild.value = "";
    SKILLS.filter((s) => s !== c.skill).forEach((s) => {
      const o = el("option", null, `${t("toSkill")} ${t("skill")[s]}`);
      o.value = "skill:" + s;
      select.appendChild(o);
    });
    agents.filter((a) => a.id !== c.assigned_agent_id && a.presence === "online").forEach((a) => {
      const o = el("option", null, `${t("toAgent")} ${a.display_name} (${a.active_conversations}/${a.max_concurrent})`);
      o.value = "agent:" + a.id;
      select.appendChild(o);
    });
    renderList();
  }

  async function open(id) {
    unread[id] = 0;
    const [detail, list] = await Promise.all([api("GET", `/api/v1/desk/conversations/${id}`), api("GET", "/api/v1/desk/agents")]);
    agents = list;
    const switched = !current || current.conversation.id !== id;
    if (switched) { passing = null; flaggedNow = null; }
    renderConversation(detail);
    const c = detail.conversation;
    if (c.state === "agent" && (c.assigned_agent_id === me.id || me.role !== "agent")) {
      loadSide(id, switched).catch(() => {});
      if (switched) loadCustomer(id).catch(() => {});
    }
    tick();
  }

  // --- the customer, notes and tags beside the chat -------------------------------------------

  async function loadCustomer(id) {
    const info = await api("GET", `/api/v1/desk/conversations/${id}/customer`);
    if (!current || current.conversation.id !== id) return;
    customerInfo = info;
    renderCustomer();
  }

  function renderCustomer() {
    const box = $("customerCard");
    box.replaceChildren();
    const info = customerInfo;
    if (!info || !current) return;
    const c = current.conversation;
    const line = el("div", "cname", info.name || who(c));
    if (info.tier) line.appendChild(el("span", "pill" + (info.tier === "vip" ? " vip" : ""), t("tier")[info.tier] || info.tier));
    box.appendChild(line);
    if (info.external_id) box.appendChild(el("div", "muted", `${info.external_id} · ${t("ordersCount")(info.orders)} · ${t("convCount")(info.conversations)}`));
    renderHistory(info.history || []);
  }

  function renderHistory(list) {
    const box = $("history");
    box.replaceChildren();
    if (!list.length) { box.appendChild(el("div", "muted", t("noHistory"))); return; }
    list.forEach((h) => {
      const row = el("div", "hist");
      row.dataset.id = h.id;
      row.appendChild(el("span", "muted", window.shopTime.short(h.created_at)));
      row.appendChild(el("span", null, ` ${h.problem || h.first_message || "—"}`));
      row.appendChild(el("span", "pill", (t("state")[h.state] || h.state) + (h.rating ? ` · ${h.rating}` : "")));
      box.appendChild(row);
    });
  }

  function renderNotes(list) {
    const box = $("notes");
    box.replaceChildren();
    list.forEach((n) => {
      const row = el("div", "note " + n.kind);
      row.appendChild(el("div", "muted", `${t("noteKind")[n.kind] || n.kind} · ${n.author_name} · ${hhmm(n.at)}`));
      row.appendChild(el("div", null, n.text));
      box.appendChild(row);
    });
  }

  function renderTags(list) {
    const box = $("tags");
    box.replaceChildren();
    list.forEach((tg) => {
      const chip = el("span", "chip tagchip", tg);
      const x = el("button", "x", "×");
      x.type = "button";
      x.title = lang === "zh" ? "删除标签" : "Remove tag";
      x.addEventListener("click", () => act(async () => {
        const r = await api("DELETE", `/api/v1/desk/conversations/${current.conversation.id}/tags/${encodeURIComponent(tg)}`);
        current.conversation.tags = r.tags;
        renderTags(r.tags);
        scheduleRefresh();
      }));
      chip.appendChild(x);
      box.appendChild(chip);
    });
  }

  $("noteForm").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("noteText").value.trim();
    if (!text || !current) return;
    act(async () => {
      await api("POST", `/api/v1/desk/conversations/${current.conversation.id}/notes`, { text });
      $("noteText").value = "";
      const detail = await api("GET", `/api/v1/desk/conversations/${current.conversation.id}`);
      renderNotes(detail.notes || []);
      toast(t("toast").noted);
    });
  });
  $("tagForm").addEventListener("submit", (e) => {
    e.preventDefault();
    const tag = $("tagText").value.trim();
    if (!tag || !current) return;
    act(async () => {
      const r = await api("POST", `/api/v1/desk/conversations/${current.conversation.id}/tags`, { tag });
      $("tagText").value = "";
      current.conversation.tags = r.tags;
      renderTags(r.tags);
      scheduleRefresh();
    });
  });
  // After passing a chat on (transfer, escalate, back to AI) it is no longer ours to read; nor
  // when it was taken from us (flagged for abuse, taken over, reassigned, re-queued): the pane
  // closes instead of leaving a chat on screen that the agent can no longer answer, and `why`
  // (a chat that went without the agent's doing) says what happened, in the pane and a toast.
  async function leave(id, why) {
    try { await open(id); }
    catch (e) {
      if (e.status !== 403 && e.status !== 404) throw e;
      if (!current || current.conversation.id !== id) return;
      current = null;
      $("conversation").classList.add("hidden");
      $("side").classList.add("hidden");
      $("empty").textContent = why || t("pick");
      $("empty").classList.toggle("left", !!why);
      $("empty").classList.remove("hidden");
      if (why) toast(why);
      document.querySelector(".desk").classList.remove("open");
      renderList();
    }
  }
  $("backToList").addEventListener("click", () => document.querySelector(".desk").classList.remove("open"));

  // --- beside the chat: copilot, orders, proposals --------------------------------------------

  function useText(text) {
    const box = $("replyText");
    box.value = text;
    box.focus();
  }

  async function loadSide(id, full) {
    const cp = await api("GET", `/api/v1/desk/conversations/${id}/copilot`);
    if (!current || current.conversation.id !== id) return;
    const sug = $("suggestions");
    sug.replaceChildren();
    if (!cp.suggestions.length) sug.appendChild(el("div", "muted", t("noSuggestions")));
    cp.suggestions.forEach((s) => {
      const b = el("button", "suggestion " + s.source);
      b.type = "button";
      b.appendChild(el("span", "src", s.source === "knowledge" ? t("fromKb") : t("fromColleagues")));
      b.appendChild(el("span", "text", s.text));
      b.title = s.question;
      b.addEventListener("click", () => useText(s.text));
      sug.appendChild(b);
    });
    const canned = $("canned");
    canned.replaceChildren();
    cp.canned.forEach((c) => {
      const b = el("button", "chip canned", c.title);
      b.type = "button";
      b.dataset.id = c.id;
      b.title = c.template;
      b.addEventListener("click", () => useText(c.text));
      canned.appendChild(b);
    });
    if (full) {
      loadOrders(id).catch(() => {});
      loadProposals(id).catch(() => {});
    }
  }

  async function loadOrders(id) {
    const box = $("orders");
    box.replaceChildren();
    $("orderResult").textContent = "";
    let list;
    try { list = await api("GET", `/api/v1/desk/conversations/${id}/orders`); }
    catch (e) { box.appendChild(el("div", "muted", e.message)); return; }
    if (!list.orders.length) box.appendChild(el("div", "muted", t("noOrders")));
    list.orders.forEach((o) => {
      const card = el("div", "order");
      card.dataset.orderId = o.order.order_id;
      card.appendChild(el("div", "otitle", `${o.order.order_id} · ${lang === "zh" ? o.title_zh : o.title_en}`));
      card.appendChild(el("div", "muted", `${lang === "zh" ? o.status_zh : o.status_en} · ¥${(o.order.total_cents / 100).toFixed(2)}`));
      const actions = el("div", "chips");
      [["refund", "refund"], ["cancel", "cancel"], ["urge_shipping", "urge"]].forEach(([kind, label]) => {
        const b = el("button", "chip", t(label));
        b.type = "button";
        b.dataset.kind = kind;
        b.addEventListener("click", () => act(async () => {
          const r = await api("POST", `/api/v1/desk/conversations/${id}/orders/${o.order.order_id}/actions`, { kind });
          const v = r.verdict;
          $("orderResult").textContent = `${o.order.order_id} · ${t("verdict")[v.outcome] || v.outcome} · ${lang === "zh" ? v.reason_zh : v.reason_en}`;
          await loadOrders(id);
          $("orderResult").textContent = `${o.order.order_id} · ${t("verdict")[v.outcome] || v.outcome} · ${lang === "zh" ? v.reason_zh : v.reason_en}`;
          await loadProposals(id);
        }));
        actions.appendChild(b);
      });
      card.appendChild(actions);
      box.appendChild(card);
    });
  }

  async function loadProposals(id) {
    const box = $("proposals");
    box.replaceChildren();
    const list = await api("GET", `/api/v1/shop/proposals?conversation_id=${encodeURIComponent(id)}`);
    if (!list.length) box.appendChild(el("div", "muted", t("none")));
    list.forEach((p) => {
      const card = el("div", "order proposalcard");
      card.dataset.id = p.id;
      card.appendChild(el("div", "otitle", `${p.kind} · ${p.order_id}` + (p.amount_cents ? ` · ¥${(p.amount_cents / 100).toFixed(2)}` : "")));
      card.appendChild(el("div", "muted", p.reason_zh));
      const amount = el("input");
      amount.type = "number"; amount.step = "0.01"; amount.min = "0.01"; amount.placeholder = t("amount");
      amount.className = "amount";
      const note = el("input");
      note.placeholder = t("note"); note.className = "note";
      const approve = el("button", "primary", t("approve"));
      approve.type = "button";
      approve.addEventListener("click", () => act(async () => {
        const body = { note: note.value };
        if (amount.value) body.amount_cents = Math.round(parseFloat(amount.value) * 100);
        await api("POST", `/api/v1/shop/proposals/${p.id}/approve`, body);
        await loadProposals(id);
      }));
      const reject = el("button", "danger", t("reject"));
      reject.type = "button";
      reject.addEventListener("click", () => act(async () => {
        await api("POST", `/api/v1/shop/proposals/${p.id}/reject`, { note: note.value || (lang === "zh" ? "不符合退款条件" : "Not eligible") });
        await loadProposals(id);
      }));
      const row = el("div", "chips");
      row.append(amount, note, approve, reject);
      card.appendChild(row);
      box.appendChild(card);
    });
  }

  async function act(fn, done) {
    try {
      await fn();
      if (done) toast(t("toast")[done]);
    } catch (e) {
      toast(errorText(e), "error");
      if (e.status === 409 && current) open(current.conversation.id).catch(() => {});
    }
  }

  $("accept").addEventListener("click", () => act(async () => {
    await api("POST", `/api/v1/desk/conversations/${current.conversation.id}/accept`);
    tab = "mine";
    await refreshLists();
    await open(current.conversation.id);
  }, "accepted"));
  $("resolve").addEventListener("click", () => act(async () => {
    passing = current.conversation.id;
    await api("POST", `/api/v1/desk/conversations/${current.conversation.id}/resolve`);
    await refreshLists();
    await open(current.conversation.id);
    await refreshFigures();
  }, "resolved"));
  $("handBack").addEventListener("click", () => act(async () => {
    passing = current.conversation.id;
    await api("POST", `/api/v1/desk/conversations/${current.conversation.id}/hand-back`);
    await refreshLists();
    await leave(current.conversation.id);
  }, "handedBack"));
  $("escalate").addEventListener("click", () => act(async () => {
    passing = current.conversation.id;
    await api("POST", `/api/v1/desk/conversations/${current.conversation.id}/escalate`, {});
    await refreshLists();
    await leave(current.conversation.id);
  }, "escalated"));
  $("transfer").addEventListener("click", () => act(async () => {
    const v = $("transferTo").value;
    const body = v.startsWith("agent:") ? { agent_id: v.slice(6) } : v.startsWith("skill:") ? { skill: v.slice(6) } : {};
    const note = $("transferNote").value.trim();
    if (note) body.note = note;
    passing = current.conversation.id;
    await api("POST", `/api/v1/desk/conversations/${current.conversation.id}/transfer`, body);
    $("transferNote").value = "";
    await refreshLists();
    await leave(current.conversation.id);
  }, "transferred"));
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
  // The customer sees "客服正在输入…" while the agent writes (one hint every few seconds at most).
  let typingSent = 0;
  $("replyText").addEventListener("input", () => {
    if (!current || Date.now() - typingSent < 3000 || !$("replyText").value.trim()) return;
    typingSent = Date.now();
    api("POST", `/api/v1/desk/conversations/${current.conversation.id}/typing`, { active: true }).catch(() => {});
  });
  // --- keyboard shortcuts ----------------------------------------------------------------------

  function step(delta) {
    const items = tab === "queue" ? queue : mine;
    if (!items.length) return;
    const at = current ? items.findIndex((c) => c.id === current.conversation.id) : -1;
    const next = items[(at + delta + items.length) % items.length];
    open(next.id).catch((e) => toast(errorText(e), "error"));
  }

  function showKeys() {
    const list = $("keysList");
    list.replaceChildren(...t("keyList").map(([k, what]) => {
      const li = el("li");
      li.appendChild(el("kbd", null, k));
      li.appendChild(document.createTextNode(" " + what));
      return li;
    }));
    $("keysDialog").showModal();
  }
  $("keysHelp").addEventListener("click", showKeys);
  $("keysClose").addEventListener("click", () => $("keysDialog").close());

  document.addEventListener("keydown", (e) => {
    if ($("app").classList.contains("hidden") || e.isComposing) return;
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement && document.activeElement.tagName);
    if (!e.altKey) {
      if (e.key === "?" && !typing) { e.preventDefault(); showKeys(); }
      return;
    }
    const visible = (id) => !$(id).classList.contains("hidden");
    if (e.code === "KeyJ" || e.key === "ArrowDown") { e.preventDefault(); step(1); }
    else if (e.code === "KeyK" || e.key === "ArrowUp") { e.preventDefault(); step(-1); }
    else if (e.code === "KeyA" && current && visible("accept")) { e.preventDefault(); $("accept").click(); }
    else if (e.code === "KeyE" && current && visible("resolve")) { e.preventDefault(); $("resolve").click(); }
    else if (e.code === "KeyN" && current && !$("side").classList.contains("hidden")) { e.preventDefault(); $("noteText").focus(); }
    else if (/^Digit[1-9]$/.test(e.code) && current && visible("replyForm")) {
      const chip = $("canned").querySelectorAll("button.canned")[Number(e.code.slice(5)) - 1];
      if (chip) { e.preventDefault(); chip.click(); }
    }
  });

  $("tabQueue").addEventListener("click", () => { tab = "queue"; renderList(); });
  $("tabMine").addEventListener("click", () => { tab = "mine"; renderList(); });

  // --- presence and breaks -------------------------------------------------------------------

  function showPresence(account) {
    $("presence").value = account.presence;
    $("breakUntil").textContent = account.presence === "break" && account.break_until ? t("breakUntil")(hhmm(account.break_until)) : "";
  }

  async function setPresence(presence, minutes) {
    const body = { presence };
    if (presence === "break") body.break_minutes = minutes || 15;
    me = await api("PUT", "/api/v1/desk/presence", body);
    const mineNow = (await api("GET", "/api/v1/desk/agents")).find((a) => a.id === me.id);
    showPresence(Object.assign({}, me, mineNow ? { break_until: mineNow.break_until } : {}));
    if (presence === "break") hideBreak();
    await refreshLists();
  }

  function showBreak(reasons) {
    lastBreak = reasons;
    const labels = reasons.map((r) => t("reasonsBreak")[r] || r).join("；");
    $("breakText").textContent = t("breakText")(labels);
    $("breakBanner").classList.remove("hidden");
  }
  function hideBreak() { lastBreak = null; $("breakBanner").classList.add("hidden"); }

  $("presence").addEventListener("change", () => act(() => setPresence($("presence").value)));
  $("takeBreak").addEventListener("click", () => act(() => setPresence("break", 15)));
  $("dismissBreak").addEventListener("click", hideBreak);
  $("logout").addEventListener("click", async () => {
    await api("POST", "/api/v1/auth/logout").catch(() => {});
    location.reload();
  });

  // --- live events ---------------------------------------------------------------------------

  function onEvent(ev) {
    if (ev.type === "desk.ready") return;
    if (ev.type === "wellbeing.break_suggested" && ev.agent_id === me.id) { showBreak(ev.reasons); return; }
    if (ev.type === "agent.presence_changed" && ev.agent_id === me.id) {
      me.presence = ev.presence;
      showPresence({ presence: ev.presence, break_until: ev.break_until });
    }
    if (ev.type === "conversation.rated") refreshFigures().catch(() => {});
    if (ev.type === "message.created" && ev.data && ev.data.author === "customer" && mine.some((c) => c.id === ev.conversation_id)) {
      const looking = current && ev.conversation_id === current.conversation.id && !document.hidden;
      if (!looking) {
        unread[ev.conversation_id] = (unread[ev.conversation_id] || 0) + 1;
        const c = mine.find((x) => x.id === ev.conversation_id);
        if (document.hidden) notify(t("newMessage")(who(c)), ev.data.text || "", ev.conversation_id);
      }
    }
    scheduleRefresh();
    if (!current || ev.conversation_id !== current.conversation.id) return;
    if (ev.type === "message.created") {
      // Customer messages come back through the desk API, which masks abusive words.
      if (ev.data.author === "customer") { open(current.conversation.id).catch(() => {}); return; }
      const transcript = $("transcript");
      if (!transcript.querySelector(`[data-seq="${ev.seq}"]`)) {
        transcript.appendChild(messageEl(ev.data));
        transcript.scrollTop = transcript.scrollHeight;
        current.messages.push(ev.data);
        updateTimer(current);
      }
    } else if (ev.type === "conversation.flagged") {
      flaggedNow = current.conversation.id;
    } else if (ev.type === "conversation.state_changed" && passing === ev.conversation_id) {
      open(current.conversation.id).catch(() => {});  // the agent's own move: its toast says it
    } else if (ev.type === "conversation.state_changed") {
      const d = ev.data || {};
      const why = flaggedNow === ev.conversation_id ? t("leftFlagged")
        : d.state === "queued" ? t("leftQueued")
        : d.state === "agent" && d.agent_name && d.agent_id !== me.id ? t("leftTo")(d.agent_name)
        : t("leftMoved");
      leave(current.conversation.id, why).catch(() => {});
    }
  }

  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${proto}://${location.host}/api/v1/desk/events`);
    socket.onopen = () => { $("conn").textContent = t("live"); retry = 500; refreshLists().catch(() => {}); if (current) open(current.conversation.id).catch(() => {}); };
    socket.onmessage = (m) => onEvent(JSON.parse(m.data));
    socket.onclose = (e) => {
      $("conn").textContent = t("reconnecting");
      if (e.code === 4401) { signedOut(); return; }
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    };
  }

  // The session ended (idle timeout, logged out elsewhere): back to the sign-in form, with the
  // reason in the page, in the desk's language.
  function signedOut() {
    if (socket) { socket.onclose = null; socket.close(); socket = null; }
    $("app").classList.add("hidden");
    $("login").classList.remove("hidden");
    $("loginError").textContent = t("signInAgain");
  }

  async function enter() {
    $("login").classList.add("hidden");
    $("app").classList.remove("hidden");
    $("me").textContent = `${me.display_name} (${me.username})`;
    const sup = me.role === "supervisor" || me.role === "admin";
    $("kbLink").classList.toggle("hidden", !sup);
    $("supLink").classList.toggle("hidden", !sup);
    if (me.presence === "offline") me = await api("PUT", "/api/v1/desk/presence", { presence: "online" });
    agents = await api("GET", "/api/v1/desk/agents");
    const self = agents.find((a) => a.id === me.id);
    showPresence(Object.assign({}, me, self ? { break_until: self.break_until } : {}));
    if (self && self.break_suggested) showBreak(self.break_reasons || []);
    showNotifyButton();
    await Promise.all([refreshLists(), refreshFigures()]);
    if (!mine.length && queue.length) { tab = "queue"; renderList(); }
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
      window.shopTime.setZone(me.timezone);
      await enter();
    } catch (e) {
      $("login").classList.remove("hidden");
    }
  }
  window.tandemDesk = { state: () => ({ me, queue, mine, current }) };
  start();
})();
