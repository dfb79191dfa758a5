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
    },
  };
  const SKILLS = ["pre_sale", "after_sale", "logistics", "vip", "en", "supervisor"];
  let lang = new URLSearchParams(location.search).get("lang") || localStorage.getItem("tandem.desk.lang") || "zh";
  if (!I18N[lang]) lang = "zh";
  const t = (k) => I18N[lang][k];
  const $ = (id) => document.getElementById(id);
  let me = null, tab = "mine", queue = [], mine = [], current = null, agents = [];
  let socket = null, retry = 500, refreshTimer = null, lastBreak = null;

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

  function ago(iso) {
    if (!iso) return "";
    const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
    return s < 60 ? `${s}s` : `${Math.round(s / 60)}min`;
  }

  function hhmm(iso) {
    const d = new Date(iso);
    return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
  }

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
    items.forEach((c) => {
      const item = el("div", "item" + (current && current.conversation.id === c.id ? " active" : ""));
      item.dataset.id = c.id;
      const row = el("div", "row");
      row.appendChild(el("strong", null, c.customer_name || c.customer_external_id || t("anonymous")));
      if (c.skill) row.appendChild(el("span", "pill skill", t("skill")[c.skill] || c.skill));
      const pill = el("span", "pill" + (c.priority > 0 || c.flagged ? " hot" : ""), c.state === "queued" ? `#${c.position} · ${ago(c.queued_at)}` : t("state")[c.state]);
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
          const kind = (lang === "zh" ? { insult: "辱骂", profanity: "脏话", threat: "威胁", harassment: "骚扰", discrimination: "歧视" } : {})[p.kind] || p.kind;
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
    $("convTitle").textContent = (c.customer_name || c.customer_external_id || t("anonymous"));
    $("convState").textContent = t("state")[c.state];
    const mineNow = c.state === "agent" && (c.assigned_agent_id === me.id || me.role !== "agent");
    $("accept").classList.toggle("hidden", c.state !== "queued");
    ["transfer", "transferTo", "escalate", "handBack", "resolve", "replyForm"].forEach((id) => $(id).classList.toggle("hidden", !mineNow));
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
      if (p.ticket) add(t("ticket"), new Date(p.callback_at).toLocaleString());
      if (p.order) add(t("order"), `${p.order.order_id} · ${p.order.title} · ${p.order.status} · ${p.order.total}` + (p.order.tracking_number ? ` · ${p.order.tracking_number}` : "")).dataset.field = "order";
      if (p.intents && p.intents.length) add(t("intents"), p.intents.slice(-4).map((i) => `${i.text || i.label} ${Math.round(i.confidence * 100)}%`).join(" → "));
      if (p.emotions && p.emotions.length) add(t("emotion"), p.emotions.slice(-4).map((e) => e.label === "neutral" ? e.text : `${e.text} ${Math.round(e.intensity * 100)}%`).join(" → ")).dataset.field = "emotion";
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
    $("actionError").textContent = "";
    const [detail, list] = await Promise.all([api("GET", `/api/v1/desk/conversations/${id}`), api("GET", "/api/v1/desk/agents")]);
    agents = list;
    const switched = !current || current.conversation.id !== id;
    renderConversation(detail);
    const c = detail.conversation;
    if (c.state === "agent" && (c.assigned_agent_id === me.id || me.role !== "agent")) {
      loadSide(id, switched).catch(() => {});
    }
  }

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
    await refreshFigures();
  }));
  $("handBack").addEventListener("click", () => act(async () => {
    await api("POST", `/api/v1/desk/conversations/${current.conversation.id}/hand-back`);
    await refreshLists();
    await open(current.conversation.id);
  }));
  $("escalate").addEventListener("click", () => act(async () => {
    await api("POST", `/api/v1/desk/conversations/${current.conversation.id}/escalate`, {});
    await refreshLists();
    await open(current.conversation.id);
  }));
  $("transfer").addEventListener("click", () => act(async () => {
    const v = $("transferTo").value;
    const body = v.startsWith("agent:") ? { agent_id: v.slice(6) } : v.startsWith("skill:") ? { skill: v.slice(6) } : {};
    await api("POST", `/api/v1/desk/conversations/${current.conversation.id}/transfer`, body);
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
  // The customer sees "客服正在输入…" while the agent writes (one hint every few seconds at most).
  let typingSent = 0;
  $("replyText").addEventListener("input", () => {
    if (!current || Date.now() - typingSent < 3000 || !$("replyText").value.trim()) return;
    typingSent = Date.now();
    api("POST", `/api/v1/desk/conversations/${current.conversation.id}/typing`, { active: true }).catch(() => {});
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
    scheduleRefresh();
    if (!current || ev.conversation_id !== current.conversation.id) return;
    if (ev.type === "message.created") {
      // Customer messages come back through the desk API, which masks abusive words.
      if (ev.data.author === "customer") { open(current.conversation.id).catch(() => {}); return; }
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
      await enter();
    } catch (e) {
      $("login").classList.remove("hidden");
    }
  }
  window.tandemDesk = { state: () => ({ me, queue, mine, current }) };
  start();
})();
