// Supervisor's live view: queues by skill, agents' load, presence and hostile-load exposure,
// wellbeing alerts (urgent first), a link to the knowledge review. Text via textContent only.
(function () {
  "use strict";
  const I18N = {
    zh: {
      title: "主管看板", desk: "客服工作台", knowledge: "知识库审核", alerts: "提醒", queues: "队列", skill: "技能组",
      waiting: "等待", oldest: "最久等待", hostile: "激烈/辱骂", agents: "客服", name: "姓名", presence: "状态",
      load: "负载", exposure: "压力指数", skills: "技能", lang: "English", none: "暂无", live: "实时", reconnecting: "重连中…",
      presences: { online: "在线", away: "离开", break: "休息", offline: "离线" },
      level: { urgent: "紧急", notice: "注意" },
      reasons: { sustained_hostile_load: "持续接待激烈/辱骂客户", critical_hostile_load: "辱骂压力过大", long_at_capacity: "长时间满负荷", break_suggestion_not_taken: "建议休息未执行" },
      lastHour: (h) => `近一小时：接入 ${h.served} 个，平均等待 ${h.avg_wait_seconds == null ? "—" : h.avg_wait_seconds + " 秒"}，平均处理 ${Math.round(h.avg_handle_seconds / 60)} 分钟`,
      until: "至", login: "请先在客服工作台登录主管账号",
      board: "实时会话", customer: "客户", state: "状态", agent: "客服", wait: "等待", emotion: "情绪", flags: "标记", actions: "操作",
      states: { bot: "AI 接待中", queued: "排队中", agent: "人工服务中" }, flagged: "辱骂", vip: "VIP", priority: "优先",
      monitor: "监听", takeOver: "接管", reassign: "转派…", close: "结束", monitoring: "监听", stopMonitor: "停止监听", member: "会员", visitor: "访客",
      seeChats: "查看 TA 的会话", flaggedAlert: "客户多次辱骂，会话已转主管", openChat: "查看会话", from: (n) => `原客服 ${n}`, relieve: "接管其等待最久的会话", showAll: "显示全部", onlyAgent: (n) => `（只看 ${n}）`,
      accounts: "账号、技能、接待上限、班组与班次", role: "角色", cap: "上限", team: "班组", shift: "班次", save: "保存", create: "新建账号",
      username: "用户名", displayName: "显示名", password: "初始密码（至少 8 位）", saved: "已保存", created: "账号已创建", taken: "已接管，会话在您的工作台中", reassigned: "已转派", closed: "会话已结束",
      confirmClose: "确定结束这个会话？客户会收到评价邀请。", author: { customer: "客户", bot: "AI", agent: "客服", system: "系统" },
      network: "网络连接失败，请检查网络后重试", skillsHint: "逗号分隔：pre_sale, after_sale, logistics, vip, zh, en, supervisor", shiftHint: "如 09:00-18:00",
      teamShift: "班组 · 班次", standings: { in_shift: "在班", ending: "即将下班", off_shift: "班外" }, noShift: "未排班",
      fallingBack: "当前没有在班客服在线：新会话暂由已登录的班外客服接待。",
    },
    en: {
      title: "Supervisor view", desk: "Agent desk", knowledge: "Knowledge review", alerts: "Alerts", queues: "Queues", skill: "Skill",
      waiting: "Waiting", oldest: "Oldest wait", hostile: "Hostile", agents: "Agents", name: "Name", presence: "Presence",
      load: "Load", exposure: "Exposure", skills: "Skills", lang: "中文", none: "none", live: "Live", reconnecting: "Reconnecting…",
      presences: { online: "Online", away: "Away", break: "On break", offline: "Offline" },
      level: { urgent: "Urgent", notice: "Notice" },
      reasons: { sustained_hostile_load: "sustained hostile load", critical_hostile_load: "critical hostile load", long_at_capacity: "long at full load", break_suggestion_not_taken: "suggested break not taken" },
      lastHour: (h) => `Last hour: ${h.served} picked up, average wait ${h.avg_wait_seconds == null ? "—" : h.avg_wait_seconds + " s"}, average handling ${Math.round(h.avg_handle_seconds / 60)} min`,
      until: "until", login: "Sign in with a supervisor account in the agent desk first",
      board: "Live conversations", customer: "Customer", state: "State", agent: "Agent", wait: "Waiting", emotion: "Emotion", flags: "Flags", actions: "Actions",
      states: { bot: "With AI", queued: "Queued", agent: "With agent" }, flagged: "abusive", vip: "VIP", priority: "priority",
      monitor: "Monitor", takeOver: "Take over", reassign: "Reassign…", close: "Close", monitoring: "Monitoring", stopMonitor: "Stop monitoring", member: "Member", visitor: "Visitor",
      seeChats: "See their chats", flaggedAlert: "repeated abuse: the chat went to the supervisors", openChat: "Open the chat", from: (n) => `was with ${n}`, relieve: "Take over their longest wait", showAll: "Show all", onlyAgent: (n) => `(only ${n})`,
      accounts: "Accounts, skills, caps, teams and shifts", role: "Role", cap: "Cap", team: "Team", shift: "Shift", save: "Save", create: "Create account",
      username: "Username", displayName: "Display name", password: "Initial password (8+ characters)", saved: "Saved", created: "Account created", taken: "Taken over: it is in your desk", reassigned: "Reassigned", closed: "Conversation closed",
      confirmClose: "Close this conversation? The customer is asked for a rating.", author: { customer: "Customer", bot: "AI", agent: "Agent", system: "System" },
      network: "No connection: check the network and try again", skillsHint: "comma-separated: pre_sale, after_sale, logistics, vip, zh, en, supervisor", shiftHint: "e.g. 09:00-18:00",
      teamShift: "Team · shift", standings: { in_shift: "in shift", ending: "shift ending", off_shift: "off shift" }, noShift: "no shift",
      fallingBack: "Nobody in shift is signed in: new chats go to those signed in outside their shift.",
    },
  };
  let lang = localStorage.getItem("tandem.desk.lang") || "zh";
  if (!I18N[lang]) lang = "zh";
  const t = (k) => I18N[lang][k];
  const $ = (id) => document.getElementById(id);
  let data = null, timer = null, retry = 500, boardRows = [], staffRows = [], onlyAgent = null, watching = null, meId = null;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function localized(message) {
    const parts = String(message || "").split(" / ");
    return parts.length === 2 ? (lang === "zh" ? parts[0] : parts[1]) : message;
  }
  function toast(text, kind) {
    const box = el("div", "toast " + (kind || "ok"), text);
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    $("toasts").appendChild(box);
    setTimeout(() => box.remove(), kind === "error" ? 7000 : 3000);
  }
  async function api(method, path, body) {
    const res = await fetch(path, { method, credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const out = res.status === 204 ? null : await res.json().catch(() => null);
    if (!res.ok) { const e = new Error(localized((out && out.message) || res.statusText)); e.status = res.status; throw e; }
    return out;
  }
  async function act(fn, done) {
    try { await fn(); if (done) toast(t(done)); await refresh(); }
    catch (e) { toast(e.status === undefined ? t("network") : e.message, "error"); }
  }
  function duration(s) {
    if (s == null) return "—";
    if (s < 60) return lang === "zh" ? `${s} 秒` : `${s}s`;
    const m = Math.floor(s / 60);
    return m < 60 ? (lang === "zh" ? `${m} 分钟` : `${m} min`) : (lang === "zh" ? `${Math.floor(m / 60)} 小时 ${m % 60} 分` : `${Math.floor(m / 60)}h ${m % 60}m`);
  }
  function who(c) {
    if (c.customer_name) return c.customer_name;
    if (c.customer_external_id) return `${t("member")} ${c.customer_external_id}`;
    return `${t("visitor")} ${String(c.id).slice(-4)}`;
  }
  function button(label, cls, fn) { const b = el("button", cls || null, label); b.type = "button"; b.addEventListener("click", fn); return b; }

  function renderBoard() {
    const rows = boardRows.filter((c) => !onlyAgent || c.agent_id === onlyAgent.id);
    $("boardFilter").replaceChildren();
    if (onlyAgent) {
      $("boardFilter").appendChild(document.createTextNode(t("onlyAgent")(onlyAgent.name) + " "));
      $("boardFilter").appendChild(button(t("showAll"), "link", () => { onlyAgent = null; renderBoard(); }));
    }
    const online = data ? data.agents.filter((a) => a.presence === "online") : [];
    $("board").replaceChildren(...(rows.length ? rows.map((c) => {
      const tr = el("tr", (c.flagged ? "flagged" : "") + (watching === c.id ? " selected" : ""));
      tr.dataset.id = c.id;
      const name = el("td", null, who(c));
      if (c.customer_tier === "vip") name.appendChild(el("span", "pill vip", " VIP"));
      if (c.problem) name.appendChild(el("div", "muted", c.problem));
      tr.appendChild(name);
      tr.appendChild(el("td", null, t("states")[c.state] || c.state));
      tr.appendChild(el("td", null, c.agent_name || "—"));
      const wait = el("td", c.waiting_seconds > 120 ? "late" : null, duration(c.waiting_seconds));
      wait.dataset.field = "wait";
      tr.appendChild(wait);
      const emo = c.emotion && c.emotion.label !== "neutral" ? `${c.emotion.text} ${Math.round(c.emotion.intensity * 100)}%` : (c.emotion ? c.emotion.text : "—");
      tr.appendChild(el("td", c.emotion && c.emotion.label !== "neutral" ? "warn" : null, emo));
      const flags = [c.flagged ? t("flagged") : null, c.priority > 0 ? t("priority") : null, ...(c.tags || [])].filter(Boolean);
      tr.appendChild(el("td", c.flagged ? "warn" : null, flags.join(" · ") || "—"));
      const ops = el("td");
      ops.appendChild(button(t("monitor"), "monitor", () => watch(c)));
      ops.appendChild(button(t("takeOver"), "primary takeover", () => act(async () => {
        await api("POST", `/api/v1/desk/supervisor/conversations/${c.id}/take-over`);
      }, "taken")));
      if (c.state === "agent") {
        const sel = el("select", "reassign");
        sel.appendChild(el("option", null, t("reassign")));
        sel.firstChild.value = "";
        online.filter((a) => a.id !== c.agent_id).forEach((a) => {
          const o = el("option", null, `${a.display_name} (${a.active}/${a.max_concurrent})`);
          o.value = a.id;
          sel.appendChild(o);
        });
        sel.addEventListener("change", () => { if (sel.value) act(async () => { await api("POST", `/api/v1/desk/conversations/${c.id}/transfer`, { agent_id: sel.value }); }, "reassigned"); });
        ops.appendChild(sel);
        ops.appendChild(button(t("close"), "danger close", () => { if (confirm(t("confirmClose"))) act(async () => { await api("POST", `/api/v1/desk/conversations/${c.id}/resolve`); }, "closed"); }));
      }
      tr.appendChild(ops);
      return tr;
    }) : [row([t("none"), "", "", "", "", "", ""])]));
  }

  async function watch(c) {
    watching = c.id;
    $("monitor").classList.remove("hidden");
    $("monitorTitle").textContent = `${who(c)} · ${t("states")[c.state] || c.state}${c.agent_name ? " · " + c.agent_name : ""}`;
    await loadWatch();
    renderBoard();
    $("monitor").scrollIntoView({ block: "nearest" });
  }
  async function loadWatch() {
    if (!watching) return;
    const d = await api("GET", `/api/v1/desk/conversations/${watching}`);
    const log = $("monitorLog");
    log.replaceChildren(...d.messages.map((m) => {
      const box = el("div", "msg " + m.author);
      if (m.author !== "system") box.appendChild(el("span", "who", m.author === "agent" ? (m.agent_name || t("author").agent) : t("author")[m.author]));
      box.appendChild(el("span", "body", m.text));
      return box;
    }));
    log.scrollTop = log.scrollHeight;
  }
  $("monitorClose").addEventListener("click", () => { watching = null; $("monitor").classList.add("hidden"); renderBoard(); });

  function renderStaff() {
    $("accounts").replaceChildren(...staffRows.map((a) => {
      const tr = el("tr");
      tr.dataset.account = a.username;
      tr.appendChild(el("td", null, `${a.display_name} (${a.username})`));
      const role = el("select", "role");
      ["agent", "supervisor", "admin"].forEach((r) => { const o = el("option", null, r); o.value = r; role.appendChild(o); });
      role.value = a.role;
      const skills = el("input", "skills"); skills.value = a.skills.join(", "); skills.title = t("skillsHint");
      const cap = el("input", "small cap"); cap.type = "number"; cap.min = "1"; cap.max = "20"; cap.value = a.max_concurrent;
      const team = el("input", "team"); team.value = a.team || ""; team.maxLength = 40;
      const shift = el("input", "shift small"); shift.value = a.shift || ""; shift.placeholder = t("shiftHint"); shift.maxLength = 24;
      [role, skills, cap, team, shift].forEach((input) => { const td = el("td"); td.appendChild(input); tr.appendChild(td); });
      const td = el("td");
      td.appendChild(button(t("save"), "primary save", () => act(async () => {
        const saved = await api("PATCH", `/api/v1/desk/staff/${a.id}`, {
          role: role.value, skills: skills.value.split(/[,，\s]+/).filter(Boolean), max_concurrent: Number(cap.value), team: team.value, shift: shift.value,
        });
        // As stored ("9:00～18:00" reads back "09:00-18:00").
        team.value = saved.team || ""; shift.value = saved.shift || "";
      }, "saved")));
      tr.appendChild(td);
      return tr;
    }));
  }
  $("newAccount").addEventListener("submit", (e) => {
    e.preventDefault();
    act(async () => {
      await api("POST", "/api/v1/desk/staff", { username: $("naUser").value.trim(), display_name: $("naName").value.trim(), password: $("naPass").value, role: $("naRole").value });
      $("newAccount").reset();
    }, "created");
  });

  function row(cells) { const tr = el("tr"); cells.forEach((c) => tr.appendChild(el("td", null, c))); return tr; }

  // A chat flagged for repeated abuse is an alert of its own, linked to the chat: urgent while it
  // waits for a supervisor, a notice once one has it (until it closes). 查看会话 opens it in the
  // monitor; 接管 makes it the viewer's.
  function flaggedAlerts() {
    return boardRows.filter((c) => c.flagged).map((c) => {
      const level = c.state === "queued" ? "urgent" : "notice";
      const parts = [t("level")[level], t("flaggedAlert"), who(c), t("states")[c.state] || c.state];
      if (c.agent_name) parts.push(c.agent_name);
      else if (c.previous_agent_name) parts.push(t("from")(c.previous_agent_name));
      const d = el("div", "alert flagged " + level, parts.join(" · ") + " ");
      d.dataset.conversation = c.id;
      d.appendChild(button(t("openChat"), "link open", () => watch(c)));
      if (!meId || c.agent_id !== meId) {
        d.appendChild(button(t("takeOver"), "link takeover", () => act(async () => {
          await api("POST", `/api/v1/desk/supervisor/conversations/${c.id}/take-over`);
        }, "taken")));
      }
      return { level, node: d };
    });
  }

  function render() {
    document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((n) => { n.placeholder = t(n.dataset.i18nPlaceholder); });
    $("lang").textContent = t("lang");
    if (!data) return;
    const alerts = $("alerts");
    alerts.replaceChildren();
    const flagged = flaggedAlerts();
    if (!data.alerts.length && !flagged.length) alerts.appendChild(el("div", "muted", t("none")));
    flagged.filter((f) => f.level === "urgent").forEach((f) => alerts.appendChild(f.node));
    data.alerts.forEach((a) => {
      const d = el("div", "alert " + a.level, `${t("level")[a.level]} · ${a.display_name} · ${a.reasons.map((r) => t("reasons")[r] || r).join("，")} · ${t("exposure")} ${a.exposure} `);
      d.dataset.agent = a.agent_id;
      // Acted on from here: see the agent's chats on the board, or take their longest wait.
      d.appendChild(button(t("seeChats"), "link see", () => { onlyAgent = { id: a.agent_id, name: a.display_name }; renderBoard(); }));
      const theirs = boardRows.filter((c) => c.agent_id === a.agent_id);
      if (theirs.length) {
        d.appendChild(button(t("relieve"), "link relieve", () => act(async () => {
          await api("POST", `/api/v1/desk/supervisor/conversations/${theirs[0].id}/take-over`);
        }, "taken")));
      }
      alerts.appendChild(d);
    });
    flagged.filter((f) => f.level !== "urgent").forEach((f) => alerts.appendChild(f.node));
    $("queues").replaceChildren(...(data.queues.length ? data.queues.map((q) => row([q.skill, String(q.waiting), `${q.oldest_seconds}s`, String(q.hostile)])) : [row([t("none"), "", "", ""])]));
    $("lastHour").textContent = t("lastHour")(data.last_hour);
    $("agents").replaceChildren(...data.agents.map((a) => {
      // Who is in shift now (shop time): routing offers new chats to them first.
      const shift = a.shift ? `${a.shift} ${t("standings")[a.shift_standing]}` : t("noShift");
      const tr = row([a.display_name, t("presences")[a.presence] + (a.on_break_until ? ` ${t("until")} ${window.shopTime.hhmm(a.on_break_until)}` : ""), `${a.active}/${a.max_concurrent}`, String(a.exposure), a.skills.join(", "), [a.team, shift].filter(Boolean).join(" · ")]);
      tr.dataset.agent = a.id;
      tr.dataset.standing = a.shift_standing || "none";
      if (a.shift_standing && a.shift_standing !== "in_shift") tr.lastChild.classList.add("warn");
      return tr;
    }));
    const cover = $("shiftCover");
    cover.textContent = data.shift_cover && data.shift_cover.falling_back ? t("fallingBack") : "";
    cover.classList.toggle("hidden", !cover.textContent);
  }

  async function refresh() {
    const res = await fetch("/api/v1/desk/supervisor", { credentials: "same-origin" });
    const body = await res.json().catch(() => null);
    if (!res.ok) { $("error").textContent = res.status === 401 || res.status === 403 ? t("login") : localized((body && body.message) || t("login")); return; }
    $("error").textContent = "";
    data = body;
    if (!meId) {
      const me = await api("GET", "/api/v1/auth/me");
      window.shopTime.setZone(me.timezone);
      meId = me.id;
    }
    [boardRows, staffRows] = await Promise.all([api("GET", `/api/v1/desk/supervisor/board?lang=${lang}`), api("GET", "/api/v1/desk/staff")]);
    render();
    renderBoard();
    if (!document.activeElement || !document.activeElement.closest("#accounts")) renderStaff();
    if (watching) loadWatch().catch(() => {});
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(() => refresh().catch(() => {}), 200); }

  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${proto}://${location.host}/api/v1/desk/events`);
    ws.onopen = () => { $("conn").textContent = t("live"); retry = 500; schedule(); };
    ws.onmessage = () => schedule();
    ws.onclose = (e) => {
      $("conn").textContent = t("reconnecting");
      if (e.code === 4401) return;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    };
  }
  $("lang").addEventListener("click", () => { lang = lang === "zh" ? "en" : "zh"; localStorage.setItem("tandem.desk.lang", lang); render(); renderBoard(); renderStaff(); refresh().catch(() => {}); });
  // Waits and exposure change with time too, not only with events.
  setInterval(() => refresh().catch(() => {}), 15000);
  window.tandemSupervisor = { state: () => ({ data, boardRows, staffRows, watching }) };
  render();
  refresh().catch(() => {});
  connect();
})();
