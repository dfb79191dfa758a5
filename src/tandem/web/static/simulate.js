// The supervisors' what-if: run one comparison on the server and show the table and charts.
// Text via textContent only; charts are SVG elements built here.
(function () {
  "use strict";
  const I18N = {
    zh: {
      title: "模拟与排班", supervisor: "主管看板", lang: "English", traffic: "流量曲线", double11: "双十一", normal: "普通日",
      scale: "流量倍数", hours: "小时数", agents: "客服人数", concurrency: "每人同时会话", wage: "时薪（元）", aiCost: "AI 每轮成本（元）",
      seed: "随机种子", run: "运行模拟", running: "模拟中…", done: (n) => `完成：每种策略 ${n} 个会话。`,
      intro: "同一批模拟顾客，分别交给四种策略：人工、纯 AI、关键词机器人、Tandem（本店规则）。",
      cols: ["策略", "会话数", "AI 解决率", "排队放弃率", "死胡同", "要人工被拒", "等待 p50 (秒)", "等待 p90 (秒)", "60 秒内接入", "客服占用率", "最多承受敌意", "每次咨询成本 (元)"],
      outcomes: "结果占比", human: "人工解决", waits: "人工排队等待（秒）", fallback: "注意：评测集未安装，顾客消息来自内置的 100 条示例消息。",
      login: "请先在客服工作台登录主管账号",
    },
    en: {
      title: "Simulation and staffing", supervisor: "Supervisor view", lang: "中文", traffic: "Traffic", double11: "Singles' Day (11.11)", normal: "Ordinary day",
      scale: "Scale", hours: "Hours", agents: "Agents", concurrency: "Chats per agent", wage: "Wage per hour (¥)", aiCost: "AI cost per turn (¥)",
      seed: "Seed", run: "Run", running: "Simulating…", done: (n) => `Done: ${n} conversations per policy.`,
      intro: "The same simulated customers, handed to four policies: people only, AI only, a keyword bot, and Tandem (this shop's rules).",
      cols: ["Policy", "Conversations", "AI resolution", "Abandonment", "Dead ends", "Refused a person", "Wait p50 (s)", "Wait p90 (s)", "Answered ≤60 s", "Occupancy", "Max hostile", "Cost per contact (¥)"],
      outcomes: "Outcomes", human: "Solved by a person", waits: "Waits for a person (s)", fallback: "Note: the evaluation set is not installed; messages come from the shipped 100-message bank.",
      login: "Sign in with a supervisor account in the agent desk first",
    },
  };
  const COLOURS = { "human-only": "#8c6d31", "ai-only": "#d62728", "naive-bot": "#7f7f7f", tandem: "#1f77b4" };
  let lang = localStorage.getItem("tandem.desk.lang") || "zh";
  if (!I18N[lang]) lang = "zh";
  const t = (k) => I18N[lang][k];
  const $ = (id) => document.getElementById(id);
  let last = null;
  const pct = (v) => (100 * v).toFixed(1) + "%";

  function el(tag, text) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; }
  function svg(tag, attrs, text) {
    const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, String(v)));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function bars(title, groups, series, percent) {
    const W = 520, H = 260, L = 40, T = 30, B = 50, PW = W - L - 10, PH = H - T - B;
    const root = svg("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title });
    root.appendChild(svg("text", { x: W / 2, y: 18, "text-anchor": "middle", "font-weight": "bold" }, title));
    const names = Object.keys(series);
    const peak = Math.max(1e-9, ...names.flatMap((n) => series[n]));
    const gw = PW / groups.length, bw = (gw * 0.8) / names.length;
    groups.forEach((g, gi) => {
      names.forEach((n, i) => {
        const v = series[n][gi], h = (PH * v) / peak, x = L + gi * gw + gw * 0.1 + i * bw;
        const r = svg("rect", { x, y: T + PH - h, width: bw - 2, height: h, fill: COLOURS[n] || "#555" });
        r.appendChild(svg("title", {}, `${n}: ${percent ? pct(v) : Math.round(v)}`));
        root.appendChild(r);
        root.appendChild(svg("text", { x: x + bw / 2, y: T + PH - h - 3, "text-anchor": "middle", "font-size": 9 }, percent ? Math.round(100 * v) + "%" : String(Math.round(v))));
      });
      root.appendChild(svg("text", { x: L + gi * gw + gw / 2, y: T + PH + 15, "text-anchor": "middle", "font-size": 11 }, g));
    });
    names.forEach((n, i) => {
      root.appendChild(svg("rect", { x: L + i * 120, y: H - 18, width: 10, height: 10, fill: COLOURS[n] || "#555" }));
      root.appendChild(svg("text", { x: L + i * 120 + 14, y: H - 9, "font-size": 11 }, n));
    });
    return root;
  }

  function render() {
    document.querySelectorAll("[data-i18n]").forEach((n) => { const v = t(n.dataset.i18n); if (typeof v === "string") n.textContent = v; });
    $("lang").textContent = t("lang");
    if (!last) return;
    const cols = t("cols");
    $("head").replaceChildren(...cols.map((c) => el("th", c)));
    $("rows").replaceChildren(...last.figures.map((f) => {
      const tr = el("tr");
      tr.dataset.policy = f.policy;
      const na = f.queued === 0; // nobody waited for a person: the wait figures do not apply
      [f.policy, String(f.conversations), pct(f.ai_resolution), pct(f.abandonment), pct(f.dead_ends), pct(f.refused_person), na ? "—" : String(Math.round(f.wait_p50)),
        na ? "—" : String(Math.round(f.wait_p90)), na ? "—" : pct(f.answered_within_60s), na ? "—" : pct(f.occupancy), String(f.hostile_max), f.cost_per_contact.toFixed(2)]
        .forEach((c) => tr.appendChild(el("td", c)));
      return tr;
    }));
    $("results").classList.remove("hidden");
    $("note").textContent = last.fallback_messages ? t("fallback") : "";
    const outcome = {}, waits = {};
    last.figures.forEach((f) => {
      outcome[f.policy] = [f.ai_resolution, f.human_resolved, f.abandonment, f.dead_ends];
      if (f.queued) waits[f.policy] = [f.wait_p50, f.wait_p90];
    });
    $("charts").replaceChildren(
      bars(t("outcomes"), [cols[2], t("human"), cols[3], cols[4]], outcome, true),
      bars(t("waits"), ["p50", "p90"], waits, false),
    );
    $("status").textContent = t("done")(last.figures.length ? last.figures[0].conversations : 0);
  }

  $("form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("error").textContent = "";
    $("status").textContent = t("running");
    $("run").disabled = true;
    const num = (id) => Number($(id).value);
    try {
      const res = await fetch("/api/v1/simulate", {
        method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ traffic: $("traffic").value, scale: num("scale"), hours: num("hours"), agents: num("agents"),
          max_concurrent: num("concurrency"), seed: num("seed"), wage_per_hour: num("wage"), ai_cost_per_turn: num("aiCost") }),
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        $("status").textContent = "";
        $("error").textContent = res.status === 401 || res.status === 403 ? t("login") + (body && body.message ? `（${body.message}）` : "") : (body && body.message) || res.statusText;
        return;
      }
      last = body;
      render();
    } finally { $("run").disabled = false; }
  });
  $("lang").addEventListener("click", () => { lang = lang === "zh" ? "en" : "zh"; localStorage.setItem("tandem.desk.lang", lang); render(); });
  render();
})();
