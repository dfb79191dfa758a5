// The supervisor's analytics dashboard: filters, KPI cards, five charts (ECharts, vendored),
// the tables with CSV/XLSX exports. Chinese first; text via textContent only.
(function () {
  "use strict";
  const I18N = {
    zh: {
      title: "数据看板", live: "实时看板", desk: "客服工作台", lang: "English", from: "开始", to: "结束", granularity: "粒度",
      hour: "小时", day: "天", week: "周", intent: "意图", skill: "技能组", agent: "客服", channel: "渠道", all: "全部", apply: "查看",
      cResolution: "AI 解决率与转人工率", cReasons: "转人工原因", cWait: "等待与死胡同", cIntents: "按意图：AI 解决 / 转人工", cAgents: "按客服：关单量与好评率",
      tAgents: "团队", tFailing: "答不好的意图与知识缺口", tDeadEnds: "死胡同（目标 0）", tIntent: "按意图", tSkill: "按技能组", tChannel: "按渠道", tSeries: "按时间",
      gapsLink: "打开知识缺口列表 →", catchingUp: "正在汇总历史数据，数字会在几次刷新内补全…", login: "请先在客服工作台登录主管账号", loading: "加载中…",
      k: { ai: "AI 解决率", handoff: "转人工率", dead: "死胡同", p50: "等待 p50", p90: "等待 p90", max: "最长等待", abandon: "排队放弃率",
        firstAi: "AI 首次响应", firstHuman: "人工首次响应", handling: "平均处理时长", closed: "关单量", csat: "好评率 (CSAT)", turns: "转人工前轮数",
        repeat: "重复提问率", occupancy: "客服占用率", abuse: "辱骂事件", reveals: "查看原文", breaks: "休息次数", episodes: "会话数" },
      col: { key: "名称", name: "客服", episodes: "会话", ai: "AI 解决率", handoff: "转人工率", closed: "关单量", positive: "好评率", handling: "处理时长",
        firstHuman: "人工首响", occupancy: "占用率", hostile: "激烈/辱骂会话", exposure: "压力指数", reveals: "查看原文", breaks: "休息", failed: "失败",
        rate: "失败率", misses: "未答上", gaps: "缺口问题", conv: "会话", when: "时间", kind: "类型", callback: "承诺回电", bucket: "时间", wait: "平均等待", dead: "死胡同" },
      kinds: { asked_no_person: "要人工未得到", callback_missed: "回电超时未答" },
      none: "（无）", sec: "秒", min: "分钟",
    },
    en: {
      title: "Analytics", live: "Live view", desk: "Agent desk", lang: "中文", from: "From", to: "To", granularity: "By",
      hour: "Hour", day: "Day", week: "Week", intent: "Intent", skill: "Skill", agent: "Agent", channel: "Channel", all: "All", apply: "Show",
      cResolution: "AI resolution and hand-off rate", cReasons: "Hand-offs by reason", cWait: "Waits and dead ends", cIntents: "By intent: resolved by AI / handed off", cAgents: "By agent: closed and positive rating",
      tAgents: "Team", tFailing: "Failing intents and the knowledge gaps behind them", tDeadEnds: "Dead ends (goal: 0)", tIntent: "By intent", tSkill: "By skill", tChannel: "By channel", tSeries: "Over time",
      gapsLink: "Open the knowledge gap list →", catchingUp: "Still folding in the history: the figures fill in over the next refreshes…", login: "Sign in with a supervisor account in the agent desk first", loading: "Loading…",
      k: { ai: "AI resolution", handoff: "Hand-off rate", dead: "Dead ends", p50: "Wait p50", p90: "Wait p90", max: "Longest wait", abandon: "Abandoned in queue",
        firstAi: "AI first response", firstHuman: "Human first response", handling: "Avg handling", closed: "Closed", csat: "Positive (CSAT)", turns: "Turns before hand-off",
        repeat: "Repeated questions", occupancy: "Agent occupancy", abuse: "Abuse incidents", reveals: "Reveals", breaks: "Breaks", episodes: "Conversations" },
      col: { key: "Name", name: "Agent", episodes: "Conv.", ai: "AI resolved", handoff: "Hand-off", closed: "Closed", positive: "Positive", handling: "Handling",
        firstHuman: "1st human reply", occupancy: "Occupancy", hostile: "Hostile conv.", exposure: "Exposure", reveals: "Reveals", breaks: "Breaks", failed: "Failed",
        rate: "Failure rate", misses: "Misses", gaps: "Gap questions", conv: "Conversation", when: "When", kind: "Kind", callback: "Callback", bucket: "Bucket", wait: "Avg wait", dead: "Dead ends" },
      kinds: { asked_no_person: "asked, got nobody", callback_missed: "callback passed unanswered" },
      none: "(none)", sec: "s", min: "min",
    },
  };
  let lang = localStorage.getItem("tandem.desk.lang") || "zh";
  if (!I18N[lang]) lang = "zh";
  const t = (k) => I18N[lang][k];
  const $ = (id) => document.getElementById(id);
  const charts = {};
  let data = null;
  window.tandemCharts = charts;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  const pct = (v) => (v == null ? "—" : `${(v * 100).toFixed(1)}%`);
  const secs = (v) => (v == null ? "—" : v >= 120 ? `${(v / 60).toFixed(1)} ${t("min")}` : `${Math.round(v)} ${t("sec")}`);
  const num = (v) => (v == null ? "—" : String(v));
  const named = (dim, key) => (key === "" && dim !== "skill" ? t("none") : TandemCharts.label(data, dim, key, lang));

  function params() {
    const p = new URLSearchParams();
    const f = new FormData($("filters"));
    for (const [k, v] of f.entries()) if (v) p.set(k, v);
    return p;
  }

  function kpis(d) {
    const tt = d.totals, k = t("k");
    const cards = [
      [k.episodes, num(tt.episodes)], [k.ai, pct(tt.ai_resolution_rate), "good"], [k.handoff, pct(tt.handoff_rate)],
      [k.dead, num(tt.dead_ends), tt.dead_ends > 0 ? "bad" : "good", "kpi-dead"],
      [k.p50, secs(d.waits.p50)], [k.p90, secs(d.waits.p90)], [k.max, secs(d.waits.max)], [k.abandon, pct(tt.abandonment_rate)],
      [k.firstAi, secs(tt.first_ai_seconds)], [k.firstHuman, secs(tt.first_human_seconds)], [k.handling, secs(tt.avg_handling_seconds)],
      [k.closed, num(tt.closed)], [k.csat, pct(tt.positive_rate)], [k.turns, num(tt.avg_turns_to_handoff)], [k.repeat, pct(tt.repeated_rate)],
      [k.occupancy, pct(tt.occupancy)], [k.abuse, num(tt.abuse_incidents)], [k.reveals, num(tt.reveals)], [k.breaks, num(tt.breaks)],
    ];
    $("kpis").replaceChildren(...cards.map(([label, value, cls, id]) => {
      const c = el("div", "kpi" + (cls ? " " + cls : ""));
      if (id) c.id = id;
      c.append(el("div", "l", label), el("div", "v", value));
      return c;
    }));
  }

  function table(id, head, rows) {
    const tbl = $(id);
    const thead = el("thead"), tr = el("tr");
    head.forEach(([label, cls]) => tr.appendChild(el("th", cls, label)));
    thead.appendChild(tr);
    const body = el("tbody");
    if (!rows.length) { const r = el("tr"); const td = el("td", "muted", t("none")); td.colSpan = head.length; r.appendChild(td); body.appendChild(r); }
    rows.forEach((cells) => {
      const r = el("tr");
      cells.forEach((c) => { const td = el("td", c && c.cls, c && typeof c === "object" ? c.v : c); r.appendChild(td); });
      body.appendChild(r);
    });
    tbl.replaceChildren(thead, body);
  }

  function tables(d) {
    const c = t("col"), n = (v) => ({ v: num(v), cls: "num" });
    table("t-agents", [[c.name], [c.closed, "num"], [c.positive, "num"], [c.handling, "num"], [c.firstHuman, "num"], [c.occupancy, "num"], [c.hostile, "num"], [c.exposure, "num"], [c.reveals, "num"], [c.breaks, "num"]],
      d.agents.map((a) => [a.name, n(a.closed), { v: pct(a.positive_rate), cls: "num" }, { v: secs(a.avg_handling_seconds), cls: "num" }, { v: secs(a.first_human_seconds), cls: "num" }, { v: pct(a.occupancy), cls: "num" }, n(a.hostile_conversations), n(a.hostile_exposure), n(a.reveals), n(a.breaks)]));
    table("t-failing", [[c.key], [c.failed, "num"], [c.rate, "num"], [c.misses, "num"], [c.gaps]],
      d.failing.map((f) => [named("intent", f.intent), n(f.failed), { v: pct(f.failure_rate), cls: "num" }, n(f.misses), f.gaps.map((g) => `${g.text} ×${g.count}`).join("；") || "—"]));
    table("t-deadends", [[c.when], [c.kind], [c.key], [c.callback], [c.conv]],
      d.dead_ends.map((x) => [x.started_at.slice(0, 16).replace("T", " "), { v: t("kinds")[x.kind] || x.kind, cls: "bad" }, named("intent", x.intent), x.callback_at ? x.callback_at.slice(0, 16).replace("T", " ") : "—", x.conversation_id]));
    const dim = (rows, which) => rows.map((r) => [named(which, r.key), n(r.episodes), { v: pct(r.ai_resolution_rate), cls: "num" }, { v: pct(r.handoff_rate), cls: "num" }, n(r.closed), { v: pct(r.positive_rate), cls: "num" }, { v: num(r.dead_ends), cls: r.dead_ends ? "num bad" : "num" }]);
    const dimHead = [[c.key], [c.episodes, "num"], [c.ai, "num"], [c.handoff, "num"], [c.closed, "num"], [c.positive, "num"], [c.dead, "num"]];
    table("t-intent", dimHead, dim(d.by.intent, "intent"));
    table("t-skill", dimHead, dim(d.by.skill, "skill"));
    table("t-channel", dimHead, dim(d.by.channel, "channel"));
    table("t-series", [[c.bucket], [c.episodes, "num"], [c.ai, "num"], [c.handoff, "num"], [c.wait, "num"], [c.dead, "num"]],
      d.series.map((s) => [s.bucket, n(s.episodes), { v: pct(s.ai_resolution_rate), cls: "num" }, { v: pct(s.handoff_rate), cls: "num" }, { v: secs(s.avg_wait_seconds), cls: "num" }, { v: num(s.dead_ends), cls: s.dead_ends ? "num bad" : "num" }]));
    document.querySelectorAll(".exports").forEach((span) => {
      const p = params();
      span.replaceChildren(...["csv", "xlsx"].map((fmt) => {
        const a = el("a", null, fmt.toUpperCase());
        a.href = `/api/v1/analytics/export/${span.dataset.table}.${fmt}?${p}`;
        return a;
      }));
    });
  }

  const known = {};
  function fillSelect(id, values, labels) {
    const sel = $(id), keep = sel.value;
    const first = sel.options[0];
    first.textContent = t("all");
    // Options seen in any answer stay: a filtered answer lists only the chosen value.
    known[id] = [...new Set([...(known[id] || []), ...values.filter((v) => v)])].sort();
    sel.replaceChildren(first, ...known[id].map((v) => { const o = el("option", null, labels ? labels[v] || v : v); o.value = v; return o; }));
    sel.value = keep;
  }

  function draw() {
    const opts = TandemCharts.options(data, lang);
    for (const [name, opt] of Object.entries(opts)) {
      const node = $(`c-${name}`);
      if (!charts[name]) charts[name] = echarts.init(node, null, { renderer: "svg", locale: lang === "zh" ? "ZH" : "EN" });
      charts[name].setOption(opt, true);
    }
    document.body.dataset.drawn = String(Number(document.body.dataset.drawn || 0) + 1);
  }

  function render() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
    $("lang").textContent = t("lang");
    if (!data) return;
    kpis(data);
    tables(data);
    const labelsOf = (dim) => Object.fromEntries(Object.keys(data.labels[dim]).map((k) => [k, named(dim, k)]));
    fillSelect("f-intent", data.by.intent.map((r) => r.key), labelsOf("intent"));
    fillSelect("f-skill", data.by.skill.map((r) => r.key), labelsOf("skill"));
    const names = Object.fromEntries(data.agents.map((a) => [a.agent_id, a.name]));
    fillSelect("f-agent", data.agents.map((a) => a.agent_id), names);
    fillSelect("f-channel", data.by.channel.map((r) => r.key), labelsOf("channel"));
    draw();
  }

  async function load() {
    $("error").textContent = t("loading");
    const res = await fetch(`/api/v1/analytics/overview?${params()}`, { credentials: "same-origin" });
    const body = await res.json().catch(() => null);
    if (!res.ok) { $("error").textContent = (body && body.message) || t("login"); return; }
    $("error").textContent = body.catching_up ? t("catchingUp") : "";
    data = body;
    $("from").value = data.range.from;
    $("to").value = data.range.to;
    render();
  }

  $("filters").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  $("lang").addEventListener("click", () => {
    lang = lang === "zh" ? "en" : "zh";
    localStorage.setItem("tandem.desk.lang", lang);
    Object.values(charts).forEach((c) => c.dispose());
    Object.keys(charts).forEach((k) => delete charts[k]);
    render();
  });
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  // A link can carry the filters (?from=2026-11-23&to=2026-11-29&skill=after_sale).
  const initial = new URLSearchParams(location.search);
  for (const [k, v] of initial.entries()) {
    const field = $("filters").elements.namedItem(k);
    if (!field) continue;
    if (field.tagName === "SELECT" && ![...field.options].some((o) => o.value === v)) {
      const o = el("option", null, v); o.value = v; field.appendChild(o);
    }
    field.value = v;
  }
  render();
  load();
})();
