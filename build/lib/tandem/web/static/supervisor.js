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
    },
  };
  let lang = localStorage.getItem("tandem.desk.lang") || "zh";
  if (!I18N[lang]) lang = "zh";
  const t = (k) => I18N[lang][k];
  const $ = (id) => document.getElementById(id);
  let data = null, timer = null, retry = 500;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function row(cells) { const tr = el("tr"); cells.forEach((c) => tr.appendChild(el("td", null, c))); return tr; }

  function render() {
    document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
    $("lang").textContent = t("lang");
    if (!data) return;
    const alerts = $("alerts");
    alerts.replaceChildren();
    if (!data.alerts.length) alerts.appendChild(el("div", "muted", t("none")));
    data.alerts.forEach((a) => {
      const d = el("div", "alert " + a.level, `${t("level")[a.level]} · ${a.display_name} · ${a.reasons.map((r) => t("reasons")[r] || r).join("，")} · ${t("exposure")} ${a.exposure}`);
      d.dataset.agent = a.agent_id;
      alerts.appendChild(d);
    });
    $("queues").replaceChildren(...(data.queues.length ? data.queues.map((q) => row([q.skill, String(q.waiting), `${q.oldest_seconds}s`, String(q.hostile)])) : [row([t("none"), "", "", ""])]));
    $("lastHour").textContent = t("lastHour")(data.last_hour);
    $("agents").replaceChildren(...data.agents.map((a) => {
      const tr = row([a.display_name, t("presences")[a.presence] + (a.on_break_until ? ` ${t("until")} ${new Date(a.on_break_until).toLocaleTimeString()}` : ""), `${a.active}/${a.max_concurrent}`, String(a.exposure), a.skills.join(", ")]);
      tr.dataset.agent = a.id;
      return tr;
    }));
  }

  async function refresh() {
    const res = await fetch("/api/v1/desk/supervisor", { credentials: "same-origin" });
    const body = await res.json().catch(() => null);
    if (!res.ok) { $("error").textContent = (body && body.message) || t("login"); return; }
    $("error").textContent = "";
    data = body;
    render();
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
  $("lang").addEventListener("click", () => { lang = lang === "zh" ? "en" : "zh"; localStorage.setItem("tandem.desk.lang", lang); render(); });
  // Waits and exposure change with time too, not only with events.
  setInterval(() => refresh().catch(() => {}), 15000);
  render();
  refresh().catch(() => {});
  connect();
})();
