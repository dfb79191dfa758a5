// The analytics charts as ECharts options, from one /api/v1/analytics/overview answer.
// Shared by the dashboard (analytics.js) and the self-contained weekly report (inlined).
(function (root) {
  "use strict";
  const RED = "#b42318", BLUE = "#1f6feb", GREEN = "#067647", GREY = "#98a2b3";
  const REASON_COLORS = { asked: "#1f6feb", rephrase: "#f79009", emotion: "#b42318", value: "#7a5af8", low_confidence: "#ee46bc", policy: "#0e9384", other: GREY };
  const WORDS = {
    zh: {
      aiRate: "AI 解决率", handoffRate: "转人工率", episodes: "会话", aiResolved: "AI 解决", handedOff: "转人工",
      waitAvg: "平均等待(秒)", waitMax: "最长等待(秒)", deadEnds: "死胡同", closed: "关单量", positiveRate: "好评率",
      reasons: { asked: "客户要求", rephrase: "换说法重复问", emotion: "情绪/投诉", value: "高价值规则", low_confidence: "AI 没把握", policy: "店铺政策", other: "其他" },
      none: "（无）",
    },
    en: {
      aiRate: "AI resolution rate", handoffRate: "Hand-off rate", episodes: "Conversations", aiResolved: "Resolved by AI", handedOff: "Handed off",
      waitAvg: "Average wait (s)", waitMax: "Longest wait (s)", deadEnds: "Dead ends", closed: "Closed", positiveRate: "Positive rating",
      reasons: { asked: "Customer asked", rephrase: "Asked again", emotion: "Emotion / complaint", value: "Value rule", low_confidence: "Low confidence", policy: "Shop policy", other: "Other" },
      none: "(none)",
    },
  };
  const REASONS = ["asked", "rephrase", "emotion", "value", "low_confidence", "policy", "other"];
  const pct = (v) => (v == null ? null : Math.round(v * 1000) / 10);
  const base = (extra) => Object.assign({
    animation: false,
    tooltip: { trigger: "axis", confine: true },
    legend: { top: 0, type: "scroll" },
    grid: { left: 8, right: 12, top: 34, bottom: 8, containLabel: true },
  }, extra);

  function label(data, dim, key, lang) {
    const names = (data.labels && data.labels[dim]) || {};
    const pair = names[key];
    return pair ? pair[lang === "en" ? 1 : 0] : key;
  }

  function options(data, lang) {
    const w = WORDS[lang] || WORDS.zh;
    const name = (k) => label(data, "intent", k, lang);
    const buckets = data.series.map((s) => s.bucket);
    const out = {};
    out.resolution = base({
      xAxis: { type: "category", data: buckets },
      yAxis: [{ type: "value", max: 100, axisLabel: { formatter: "{value}%" } }, { type: "value", splitLine: { show: false } }],
      series: [
        { name: w.aiRate, type: "line", smooth: true, connectNulls: true, color: GREEN, data: data.series.map((s) => pct(s.ai_resolution_rate)) },
        { name: w.handoffRate, type: "line", smooth: true, connectNulls: true, color: BLUE, data: data.series.map((s) => pct(s.handoff_rate)) },
        { name: w.episodes, type: "bar", yAxisIndex: 1, color: "#d0d5dd", barMaxWidth: 24, data: data.series.map((s) => s.episodes) },
      ],
    });
    out.reasons = base({
      xAxis: { type: "category", data: buckets },
      yAxis: { type: "value", minInterval: 1 },
      series: REASONS.map((r) => ({
        name: w.reasons[r], type: "bar", stack: "reasons", color: REASON_COLORS[r], barMaxWidth: 28,
        data: data.series.map((s) => s.handoff_by_reason[r]),
      })),
    });
    out.wait = base({
      xAxis: { type: "category", data: buckets },
      yAxis: [{ type: "value" }, { type: "value", minInterval: 1, splitLine: { show: false } }],
      series: [
        { name: w.waitAvg, type: "line", connectNulls: true, color: BLUE, data: data.series.map((s) => s.avg_wait_seconds) },
        { name: w.waitMax, type: "line", connectNulls: true, color: GREY, lineStyle: { type: "dashed" }, data: data.series.map((s) => s.max_wait_seconds) },
        { name: w.deadEnds, type: "bar", yAxisIndex: 1, color: RED, barMaxWidth: 20, data: data.series.map((s) => s.dead_ends) },
      ],
    });
    const intents = data.by.intent.slice(0, 12).reverse();
    out.intents = base({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: intents.map((r) => name(r.key) || w.none) },
      series: [
        { name: w.aiResolved, type: "bar", stack: "intent", color: GREEN, data: intents.map((r) => r.ai_resolved) },
        { name: w.handedOff, type: "bar", stack: "intent", color: BLUE, data: intents.map((r) => r.handed_off) },
      ],
    });
    const agents = data.agents;
    out.agents = base({
      xAxis: { type: "category", data: agents.map((a) => a.name), axisLabel: { interval: 0, rotate: agents.length > 6 ? 30 : 0 } },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", max: 100, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } }],
      series: [
        { name: w.closed, type: "bar", color: BLUE, barMaxWidth: 36, data: agents.map((a) => a.closed) },
        { name: w.positiveRate, type: "line", yAxisIndex: 1, color: GREEN, data: agents.map((a) => pct(a.positive_rate)) },
      ],
    });
    return out;
  }

  root.TandemCharts = { options, label, WORDS, REASONS };
})(typeof window !== "undefined" ? window : globalThis);
