// The supervisor's knowledge page: entries, candidates from the learning loop, gaps, files.
// Every piece of user or API text is set with textContent (never innerHTML): entries and
// customer questions are untrusted.
(() => {
  "use strict";
  const INTENTS = ["greeting", "thanks", "bye", "human", "product_info", "stock", "price_promotion",
    "coupon", "size", "shipping_info", "payment", "invoice", "order_status", "change_address",
    "cancel_order", "urge_shipping", "where_is_parcel", "return", "exchange", "refund",
    "refund_status", "damaged_or_wrong_item", "quality_issue", "how_to_use", "warranty", "complaint"];
  const TEXT = {
    zh: {
      title: "知识库", desk: "客服工作台", tabEntries: "条目", tabCandidates: "待审核", tabGaps: "知识缺口",
      tabFiles: "导入 / 导出", searchPh: "搜索问题或答案", live: "生效", pending: "待定", retired: "已停用",
      all: "全部", search: "搜索", new: "新建条目", question: "标准问题", alternatives: "相似问法（每行一个）",
      answer: "答案", placeholders: "答案可引用订单信息：{carrier} {tracking_number} {promised_ship_date} {order_status}",
      intent: "意图", tags: "标签（逗号分隔）", language: "语言", save: "保存", retire: "停用", restore: "恢复生效",
      cancel: "取消", history: "修改记录", candHelp: "人工客服解决的问题会变成候选条目。批准后立即生效，AI 下次即可回答。",
      gapsHelp: "AI 最常答不上的问题（相似问法已合并）。为它们写条目，可以减少转人工。", gapQuestion: "问题",
      count: "次数", examples: "其他问法", nearest: "最接近的条目", import: "导入", export: "导出",
      importHelp: "支持 CSV、XLSX、JSONL、Markdown。表头：question/问题、answer/答案、alternatives/相似问法、intent/意图、tags/标签、language/语言、id。带 id 的行、或问题与已有条目相同的行会更新该条目；重复的问题会被跳过。先预览，再确认导入。",
      total: (n) => `共 ${n} 条`, newTitle: "新建条目",
      editTitle: (id) => `编辑 ${id}`, saved: "已保存，AI 已使用新内容", version: (v, who, at) => `版本 ${v} · ${who || "-"} · ${at}`,
      source: { written: "人工编写", learned: "从对话学习" }, approve: "批准并生效", merge: "合并到相似条目",
      reject: "驳回", asked: (n) => `被问到 ${n} 次`, similar: "已有相似条目：", mergeTo: "合并到条目 ID",
      noCandidates: "没有待审核的候选条目。", noGaps: "暂无记录：AI 还没有答不上的问题。", write: "写条目",
      login: "请先在客服工作台用主管账号登录", confirmRetire: "停用后 AI 不再使用这个条目，确定吗？",
      changes: { created: "创建", updated: "修改", retired: "停用", imported: "导入", merged: "合并问法", status: "状态变更" },
      conversations: "来自对话：", empty: "没有符合条件的条目。",
      previewImport: "预览", applyImport: "确认导入",
      phase: { checking: "正在检查重复", writing: "正在写入" }, phaseDone: { checking: "检查完成", writing: "写入完成" },
      summary: (r) => [`新增 ${r.created}`, `更新 ${r.updated}`, `未变 ${r.unchanged}`, `重复跳过 ${r.duplicates.length}`, `失败 ${r.errors.length}`],
      previewed: "预览：尚未写入任何内容。确认无误后点“确认导入”。", done: "导入完成，AI 已使用新内容。",
      actions: { add: "新增", update: "更新", unchanged: "未变", duplicate: "重复跳过", failed: "失败" },
      row: "行", allowDuplicate: "仍然新建（与已有条目确实不同）", addPhrasing: "加为该条目的问法", phrasingAdded: (q) => `已加为“${q}”的问法`,
    },
    en: {
      title: "Knowledge base", desk: "Agent desk", tabEntries: "Entries", tabCandidates: "To review", tabGaps: "Gaps",
      tabFiles: "Import / export", searchPh: "Search questions or answers", live: "Live", pending: "Pending",
      retired: "Retired", all: "All", search: "Search", new: "New entry", question: "Question",
      alternatives: "Other phrasings (one per line)", answer: "Answer",
      placeholders: "Answers may use order facts: {carrier} {tracking_number} {promised_ship_date} {order_status}",
      intent: "Intent", tags: "Tags (comma separated)", language: "Language", save: "Save", retire: "Retire",
      restore: "Make live again", cancel: "Cancel", history: "History",
      candHelp: "Questions human agents solved become candidates. Approved ones go live at once and the AI answers them next time.",
      gapsHelp: "The questions the AI most often could not answer (similar phrasings grouped). Writing entries for them means fewer handoffs.",
      gapQuestion: "Question", count: "Times", examples: "Other phrasings", nearest: "Closest entry", import: "Import",
      export: "Export",
      importHelp: "CSV, XLSX, JSONL or Markdown. Columns: question, answer, alternatives, intent, tags, language, id. A row with an existing id, or with the same question as an entry, updates that entry; duplicates are skipped. Preview first, then import.",
      total: (n) => `${n} entries`, newTitle: "New entry",
      editTitle: (id) => `Edit ${id}`, saved: "Saved; the AI uses it now", version: (v, who, at) => `version ${v} · ${who || "-"} · ${at}`,
      source: { written: "written", learned: "learned from a conversation" }, approve: "Approve (goes live)",
      merge: "Merge into similar entry", reject: "Reject", asked: (n) => `asked ${n} times`, similar: "Similar live entry: ",
      mergeTo: "Merge into entry id", noCandidates: "Nothing to review.", noGaps: "Nothing yet: the AI has not failed on any question.",
      write: "Write entry",
      login: "Sign in with a supervisor account in the agent desk first",
      confirmRetire: "The AI will stop using this entry. Retire it?",
      changes: { created: "created", updated: "edited", retired: "retired", imported: "imported", merged: "phrasings merged", status: "status changed" },
      conversations: "From conversations: ", empty: "No entries match.",
      previewImport: "Preview", applyImport: "Import now",
      phase: { checking: "Checking for duplicates", writing: "Writing" }, phaseDone: { checking: "Checked", writing: "Written" },
      summary: (r) => [`${r.created} to add`, `${r.updated} to update`, `${r.unchanged} unchanged`, `${r.duplicates.length} duplicates skipped`, `${r.errors.length} failed`],
      previewed: "Preview: nothing written yet. Check it, then choose Import now.", done: "Imported; the AI uses it now.",
      actions: { add: "add", update: "update", unchanged: "unchanged", duplicate: "duplicate, skipped", failed: "failed" },
      row: "Row", allowDuplicate: "Create anyway (it really differs from the existing entry)", addPhrasing: "Add as a phrasing of this entry", phrasingAdded: (q) => `Added as a phrasing of "${q}"`,
    },
  };
  let lang = localStorage.getItem("tandem.lang") === "en" ? "en" : "zh";
  const t = (key) => TEXT[lang][key];
  const $ = (id) => document.getElementById(id);
  let current = null; // the entry open in the editor

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.entries(props || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v;
      else if (k === "className") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    });
    children.forEach((c) => c && node.appendChild(c));
    return node;
  }

  function showError(message) { $("error").textContent = message || ""; }

  async function api(path, options = {}) {
    const res = await fetch(path, { credentials: "same-origin", ...options });
    const body = res.headers.get("content-type")?.includes("json") ? await res.json() : null;
    if (res.status === 401 || res.status === 403) { showError((body && body.message) || t("login")); throw new Error("auth"); }
    if (!res.ok) {
      const detail = body && (body.message || (Array.isArray(body.detail) ? body.detail.map((d) => d.msg).join("; ") : body.detail));
      showError(detail || `HTTP ${res.status}`);
      throw new Error("http");
    }
    showError("");
    return body;
  }
  const json = (method, data) => ({ method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(data) });

  function applyLanguage() {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-i18n]").forEach((n) => { const v = t(n.dataset.i18n); if (typeof v === "string") n.textContent = v; });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((n) => { n.placeholder = t(n.dataset.i18nPlaceholder); });
    $("lang").textContent = lang === "zh" ? "English" : "中文";
    document.title = `Tandem ${t("title")}`;
  }

  // --- entries ---------------------------------------------------------------------
  async function loadEntries() {
    const params = new URLSearchParams({ limit: "200" });
    if ($("q").value.trim()) params.set("q", $("q").value.trim());
    if ($("statusFilter").value) params.set("status", $("statusFilter").value);
    const data = await api(`/api/v1/kb/entries?${params}`);
    $("entryTotal").textContent = t("total")(data.total);
    const list = $("entries");
    list.replaceChildren();
    if (!data.entries.length) list.appendChild(el("li", { className: "muted", text: t("empty") }));
    data.entries.forEach((e) => {
      const li = el("li", { onclick: () => openEntry(e.id) },
        el("span", { className: "q", text: e.question }),
        el("span", { className: "muted", text: e.answer.slice(0, 80) }));
      if (e.intent) li.appendChild(el("span", { className: "kb-tag", text: e.intent }));
      if (e.source === "learned") li.appendChild(el("span", { className: "kb-tag", text: t("source").learned }));
      if (current && current.id === e.id) li.className = "active";
      list.appendChild(li);
    });
  }

  function fillEditor(entry) {
    current = entry;
    $("editor").classList.remove("hidden");
    $("editorTitle").textContent = entry ? t("editTitle")(entry.id) : t("newTitle");
    $("fQuestion").value = entry ? entry.question : "";
    $("fAlternatives").value = entry ? entry.alternatives.join("\n") : "";
    $("fAnswer").value = entry ? entry.answer : "";
    $("fIntent").value = entry && entry.intent ? entry.intent : "";
    $("fTags").value = entry ? entry.tags.join(", ") : "";
    $("fLanguage").value = entry ? entry.language : lang;
    $("retire").classList.toggle("hidden", !entry || entry.status === "retired");
    $("restore").classList.toggle("hidden", !entry || entry.status === "live");
    $("meta").textContent = entry
      ? `${t(entry.status)} · ${t("source")[entry.source] || entry.source} · ${t("version")(entry.version, entry.updated_by, window.shopTime.full(entry.updated_at, lang))}`
      : "";
    $("history").replaceChildren();
  }

  async function openEntry(id) {
    const data = await api(`/api/v1/kb/entries/${encodeURIComponent(id)}`);
    fillEditor(data.entry);
    data.history.forEach((v) => {
      const what = t("changes")[v.change] || v.change;
      $("history").appendChild(el("li", { text: `v${v.version} · ${what} · ${v.changed_by || "-"} · ${window.shopTime.full(v.changed_at, lang)}` }));
    });
    loadEntries();
  }

  function editorBody() {
    return {
      question: $("fQuestion").value.trim(),
      alternatives: $("fAlternatives").value.split("\n").map((s) => s.trim()).filter(Boolean),
      answer: $("fAnswer").value.trim(),
      intent: $("fIntent").value.trim() || null,
      tags: $("fTags").value.split(/[,，]/).map((s) => s.trim()).filter(Boolean),
      language: $("fLanguage").value,
    };
  }

  async function saveEntry(ev) {
    ev.preventDefault();
    const body = editorBody();
    const saved = current
      ? await api(`/api/v1/kb/entries/${encodeURIComponent(current.id)}`, json("PUT", { ...body, status: current.status, version: current.version }))
      : await api("/api/v1/kb/entries", json("POST", body));
    await openEntry(saved.id);
    $("meta").textContent = `${t("saved")} · ${$("meta").textContent}`;
  }

  async function setStatus(status) {
    if (!current) return;
    if (status === "retired" && !window.confirm(t("confirmRetire"))) return;
    await api(`/api/v1/kb/entries/${encodeURIComponent(current.id)}/status`, json("PUT", { status }));
    await openEntry(current.id);
  }

  // --- candidates ------------------------------------------------------------------
  async function loadCandidates() {
    const items = await api("/api/v1/kb/candidates");
    $("candCount").textContent = items.length ? String(items.length) : "";
    const list = $("candidates");
    list.replaceChildren();
    if (!items.length) { list.appendChild(el("li", { className: "muted", text: t("noCandidates") })); return; }
    items.forEach((c) => {
      const q = el("input", { value: c.question, maxlength: "500" });
      q.value = c.question;
      const alts = el("textarea", { rows: "2" }); alts.value = c.alternatives.join("\n");
      const answer = el("textarea", { rows: "4" }); answer.value = c.answer;
      const intent = el("input", { list: "intents" }); intent.value = c.intent || "";
      const mergeId = el("input", { placeholder: t("mergeTo") }); mergeId.value = c.similar_entry_id || "";
      const card = el("li", {},
        el("div", { className: "muted", text: `${t("asked")(c.occurrences)} · ${c.language} · ${t("conversations")}${c.conversation_ids.join(", ")}` }),
        el("label", { text: t("question") }), q,
        el("label", { text: t("alternatives") }), alts,
        el("label", { text: t("answer") }), answer,
        el("label", { text: t("intent") }), intent);
      if (c.similar_entry_id) card.appendChild(el("p", { className: "similar", text: `${t("similar")}${c.similar_question || ""} (${c.similar_entry_id})` }));
      const anyway = el("input", { type: "checkbox", className: "allow-duplicate" });
      const approve = el("button", { className: "primary", type: "button", text: t("approve"), onclick: async () => {
        await api(`/api/v1/kb/candidates/${encodeURIComponent(c.id)}/approve?lang=${lang}`, json("POST", {
          question: q.value.trim(), answer: answer.value.trim(), intent: intent.value.trim() || null,
          alternatives: alts.value.split("\n").map((s) => s.trim()).filter(Boolean),
          allow_duplicate: anyway.checked,
        }));
        loadCandidates();
      } });
      const merge = el("button", { type: "button", text: t("merge"), onclick: async () => {
        if (!mergeId.value.trim()) { mergeId.focus(); return; }
        await api(`/api/v1/kb/candidates/${encodeURIComponent(c.id)}/merge`, json("POST", { entry_id: mergeId.value.trim() }));
        loadCandidates();
      } });
      const reject = el("button", { className: "danger", type: "button", text: t("reject"), onclick: async () => {
        await api(`/api/v1/kb/candidates/${encodeURIComponent(c.id)}/reject`, { method: "POST" });
        loadCandidates();
      } });
      card.appendChild(el("div", { className: "kb-row" }, approve, mergeId, merge, reject));
      card.appendChild(el("label", { className: "muted" }, anyway, el("span", { text: ` ${t("allowDuplicate")}` })));
      list.appendChild(card);
    });
  }

  // --- gaps ------------------------------------------------------------------------
  async function loadGaps() {
    const gaps = await api("/api/v1/kb/gaps");
    const body = $("gaps");
    body.replaceChildren();
    if (!gaps.length) { body.appendChild(el("tr", {}, el("td", { colspan: "5", className: "muted", text: t("noGaps") }))); return; }
    gaps.forEach((g) => {
      const write = el("button", { type: "button", text: t("write"), onclick: () => {
        switchTab("entries");
        fillEditor(null);
        $("fQuestion").value = g.question;
        $("fAlternatives").value = g.examples.join("\n");
        $("fLanguage").value = g.language;
      } });
      const actions = el("td", {}, write);
      if (g.nearest_entry_id) {
        actions.appendChild(el("button", { type: "button", className: "add-phrasing", text: t("addPhrasing"), onclick: async () => {
          await api("/api/v1/kb/gaps/phrasing", json("POST", { entry_id: g.nearest_entry_id, phrasings: [g.question, ...g.examples] }));
          await loadGaps();
          $("gapsNote").textContent = t("phrasingAdded")(g.nearest_question || g.nearest_entry_id);
        } }));
      }
      body.appendChild(el("tr", {},
        el("td", { text: g.question }),
        el("td", { text: String(g.count) }),
        el("td", { text: g.examples.join(" / ") }),
        el("td", { text: g.nearest_question || "-" }),
        actions));
    });
  }

  // --- files -----------------------------------------------------------------------
  // The server streams NDJSON lines: {phase, done, total} while it works, then {report}.
  async function runImport(preview) {
    const file = $("file").files[0];
    if (!file) return;
    const form = new FormData();
    form.append("file", file);
    const params = new URLSearchParams({ stream: "true", lang, preview: preview ? "true" : "false" });
    $("importReport").replaceChildren();
    $("applyImport").classList.add("hidden");
    $("importProgress").classList.remove("hidden");
    $("importBar").value = 0;
    $("importPhase").textContent = t("phase").checking;
    try {
      const res = await fetch(`/api/v1/kb/import?${params}`, { method: "POST", body: form, credentials: "same-origin" });
      if (!res.ok) {
        const body = res.headers.get("content-type")?.includes("json") ? await res.json() : null;
        showError((body && body.message) || (res.status === 401 || res.status === 403 ? t("login") : `HTTP ${res.status}`));
        return;
      }
      showError("");
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (value) buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 1);
          if (line.trim()) handleLine(JSON.parse(line), preview);
        }
        if (done) break;
      }
    } catch (err) {
      $("importProgress").classList.add("hidden");
      throw err;
    }
  }

  function handleLine(msg, preview) {
    if (msg.phase) {
      $("importBar").max = Math.max(msg.total, 1);
      $("importBar").value = msg.done;
      $("importPhase").textContent = `${t("phase")[msg.phase] || msg.phase} ${msg.done} / ${msg.total}`;
      $("importBar").dataset.phase = msg.phase;
    } else if (msg.error) {
      showError(msg.error);
    } else if (msg.report) {
      // The bar stays full; its words say the work is over (they read "正在检查重复 4 / 4").
      const phase = $("importBar").dataset.phase;
      if (phase) $("importPhase").textContent = `${t("phaseDone")[phase] || ""} ${$("importBar").value} / ${$("importBar").max}`;
      showReport(msg.report, preview);
    }
  }

  function showReport(report, preview) {
    const box = $("importReport");
    box.replaceChildren();
    box.appendChild(el("p", { className: preview ? "muted" : "ok-text", text: preview ? t("previewed") : t("done") }));
    const summary = el("div", { className: "kb-summary", id: "importSummary" });
    t("summary")(report).forEach((s) => summary.appendChild(el("span", { text: s })));
    box.appendChild(summary);
    const rows = el("tbody", {});
    report.rows.forEach((r) => {
      const note = [r.reason, r.warning].filter(Boolean).join(" · ");
      rows.appendChild(el("tr", { className: r.action },
        el("td", { text: String(r.row) }),
        el("td", { text: t("actions")[r.action] || r.action }),
        el("td", { text: r.question }),
        el("td", { className: r.action === "failed" || r.action === "duplicate" ? "warn-text" : "muted", text: note || r.entry_id || "" })));
    });
    box.appendChild(el("table", { className: "kb-table", id: "importRows" },
      el("thead", {}, el("tr", {}, el("th", { text: t("row") }), el("th", { text: "" }), el("th", { text: t("question") }), el("th", { text: "" }))),
      rows));
    const writes = report.created + report.updated;
    $("applyImport").classList.toggle("hidden", !preview || writes === 0);
    if (!preview) loadEntries().catch(() => {});
  }

  // --- tabs ------------------------------------------------------------------------
  function switchTab(name) {
    document.querySelectorAll(".kb-tabs button").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
    document.querySelectorAll(".kb-tab").forEach((s) => s.classList.toggle("hidden", s.id !== `tab-${name}`));
    const loaders = { entries: loadEntries, candidates: loadCandidates, gaps: loadGaps };
    if (loaders[name]) loaders[name]().catch(() => {});
  }

  INTENTS.forEach((i) => $("intents").appendChild(el("option", { value: i })));
  document.querySelectorAll(".kb-tabs button").forEach((b) => b.addEventListener("click", () => switchTab(b.dataset.tab)));
  $("searchForm").addEventListener("submit", (ev) => { ev.preventDefault(); loadEntries().catch(() => {}); });
  $("statusFilter").addEventListener("change", () => loadEntries().catch(() => {}));
  $("newEntry").addEventListener("click", () => fillEditor(null));
  $("cancelEdit").addEventListener("click", () => { current = null; $("editor").classList.add("hidden"); });
  $("editor").addEventListener("submit", (ev) => saveEntry(ev).catch(() => {}));
  $("retire").addEventListener("click", () => setStatus("retired").catch(() => {}));
  $("restore").addEventListener("click", () => setStatus("live").catch(() => {}));
  $("importForm").addEventListener("submit", (ev) => { ev.preventDefault(); runImport(true).catch(() => {}); });
  $("applyImport").addEventListener("click", () => runImport(false).catch(() => {}));
  $("lang").addEventListener("click", () => {
    lang = lang === "zh" ? "en" : "zh";
    localStorage.setItem("tandem.lang", lang);
    applyLanguage();
    switchTab(document.querySelector(".kb-tabs button.active").dataset.tab);
  });
  applyLanguage();
  // Times in the shop's zone: learnt before the first list is drawn.
  fetch("/api/v1/auth/me", { credentials: "same-origin" })
    .then((res) => (res.ok ? res.json() : null))
    .then((me) => window.shopTime.setZone(me && me.timezone))
    .catch(() => {})
    .finally(() => {
      loadEntries().catch(() => {});
      loadCandidates().catch(() => {});
    });
})();
