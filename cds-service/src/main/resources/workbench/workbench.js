// The informaticists' workbench. Plain JavaScript, no build step and no library: it talks only to
// this service (/workbench/api/...), and every call says it is workbench traffic.
"use strict";

const TRAFFIC = { "X-LegCramp-Traffic": "workbench" };
const state = { services: [], cases: [], patient: null, drafts: [], cql: { saved: {}, edits: {} } };

const $ = (id) => document.getElementById(id);

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  Object.entries(attributes || {}).forEach(([name, value]) => {
    if (value !== undefined && value !== null) node.setAttribute(name, value);
  });
  children.flat().forEach((child) => {
    if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  });
  return node;
}

async function api(path, body) {
  const options = body === undefined
    ? { headers: TRAFFIC }
    : { method: "POST", headers: { ...TRAFFIC, "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch("/workbench/api/" + path, options);
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error((json && (json.detail || json.title)) || response.status + " " + response.statusText);
    error.problem = json;
    throw error;
  }
  return json;
}

function status(id, message, isError) {
  $(id).textContent = message || "";
  $(id).classList.toggle("error", !!isError);
}

// ---- Markdown, the small safe subset card details use: paragraphs, "- " lists, **bold**, *italic*,
// `code` and [links](https://...). Text is escaped first; only http(s) links become anchors.
function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function inline(escaped) {
  return escaped
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>")
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>');
}

function markdown(text) {
  const html = [];
  (text || "").split(/\n\s*\n/).forEach((block) => {
    const lines = block.split("\n").filter((line) => line.trim() !== "");
    if (lines.length === 0) return;
    if (lines.every((line) => /^\s*[-*] /.test(line))) {
      html.push("<ul>" + lines.map((line) => "<li>" + inline(escapeHtml(line.replace(/^\s*[-*] /, ""))) + "</li>").join("") + "</ul>");
    } else {
      html.push("<p>" + lines.map((line) => inline(escapeHtml(line))).join("<br>") + "</p>");
    }
  });
  const container = el("div", { class: "detail" });
  container.innerHTML = html.join("");
  return container;
}

// ---- picking a patient, a service, drafts and parameters

function serviceById(id) {
  return state.services.find((service) => service.id === id);
}

function fillServices(ids) {
  const select = $("service");
  const previous = select.value;
  select.replaceChildren(...state.services.filter((s) => !ids || ids.includes(s.id))
    .map((s) => el("option", { value: s.id }, s.id + " (" + s.hook + ")")));
  if ([...select.options].some((o) => o.value === previous)) select.value = previous;
  showParameters();
  showDraftsPanel();
  showCqlLibraries();
}

function showParameters() {
  const service = serviceById($("service").value);
  const form = $("parameters");
  form.replaceChildren();
  if (!service) return;
  if (service.parameters.length === 0) form.append(el("p", { class: "hint" }, service.library + " has no parameters."));
  service.parameters.forEach((parameter) => {
    const row = el("div", { class: "parameter" + (parameter.type === "Quantity" ? "" : " single"), "data-parameter": parameter.name,
      "data-type": parameter.type, "data-default": parameter.default || "" },
    el("label", {}, parameter.name, el("br"), el("span", { class: "type" }, parameter.type + ", default " + (parameter.default || "none"))));
    const initial = defaultValue(parameter);
    if (parameter.type === "Quantity") {
      row.append(el("input", { type: "number", step: "any", name: "value", value: initial.value, "aria-label": parameter.name + " value" }),
        el("input", { type: "text", name: "unit", value: initial.unit, "aria-label": parameter.name + " unit" }));
    } else {
      row.append(el("input", { type: "text", name: "value", value: initial.value, "aria-label": parameter.name }));
    }
    form.append(row);
  });
}

function defaultValue(parameter) {
  const text = (parameter.default || "").trim();
  if (parameter.type === "Quantity") {
    const match = text.match(/^(-?[0-9.]+)\s*'?([A-Za-z]+)'?$/);
    return match ? { value: match[1], unit: match[2] } : { value: "", unit: "" };
  }
  return { value: text.replace(/^'(.*)'$/, "$1") };
}

/** The parameters whose value differs from the CQL default, as the API takes them. */
function parameterOverrides() {
  const overrides = {};
  document.querySelectorAll("#parameters .parameter").forEach((row) => {
    const name = row.dataset.parameter;
    const type = row.dataset.type;
    const initial = defaultValue({ type, default: row.dataset.default });
    const value = row.querySelector("input[name=value]").value.trim();
    if (type === "Quantity") {
      const unit = row.querySelector("input[name=unit]").value.trim();
      if (value === "" || (value === initial.value && unit === initial.unit)) return;
      overrides[name] = { value: Number(value), unit };
    } else {
      if (value === "" || value === initial.value) return;
      overrides[name] = type === "Boolean" ? value === "true"
        : type === "Integer" || type === "Decimal" ? Number(value) : value;
    }
  });
  return overrides;
}

function showDraftsPanel() {
  const service = serviceById($("service").value);
  const bundleMode = state.patient && state.patient.bundle;
  $("drafts-panel").hidden = !(bundleMode && service && service.hook !== "patient-view");
}

let searchTimer = null;
function searchProducts() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(async () => {
    const query = $("product-search").value.trim();
    if (query.length < 2) { $("products").replaceChildren(); return; }
    const products = await api("products?q=" + encodeURIComponent(query));
    $("products").replaceChildren(...products.map((product) => el("li", { "data-code": product.code },
      el("span", {}, product.display + " ", el("code", {}, product.code)),
      button("Add", () => { state.drafts.push(product); showDrafts(); }))));
  }, 200);
}

function showDrafts() {
  $("drafts").replaceChildren(...state.drafts.map((product, index) => el("li", { class: "draft" },
    el("span", {}, "Draft: " + product.display),
    button("Remove", () => { state.drafts.splice(index, 1); showDrafts(); }))));
}

function button(label, onClick) {
  const b = el("button", { type: "button" }, label);
  b.addEventListener("click", onClick);
  return b;
}

async function loadCase() {
  const option = $("case").selectedOptions[0];
  if (!option) return;
  const entry = state.cases.find((c) => c.id === option.value);
  status("patient-status", "Loading " + entry.id + "…");
  const data = await api("cases/" + entry.id);
  state.drafts = [];
  showDrafts();
  if (entry.kind === "hook") {
    state.patient = { request: data.request, label: entry.id, expected: data.expected };
    fillServices([data.service]);
    $("service").value = data.service;
  } else {
    state.patient = { bundle: data.bundle, label: entry.id };
    fillServices(entry.services);
  }
  showParameters();
  showDraftsPanel();
  status("patient-status", "Patient: " + entry.id);
  await run();
}

function useBundle() {
  let bundle;
  try {
    bundle = JSON.parse($("bundle").value);
  } catch (e) {
    status("patient-status", "Not JSON: " + e.message, true);
    return;
  }
  state.patient = { bundle, label: "pasted bundle" };
  state.drafts = [];
  showDrafts();
  fillServices(null);
  status("patient-status", "Patient: the pasted bundle");
}

// ---- running and showing

async function run() {
  if (!state.patient) { status("run-status", "Pick a patient first.", true); return; }
  const body = { service: $("service").value, parameters: parameterOverrides(), cql: cqlEdits() };
  if (state.patient.request) body.request = state.patient.request;
  else { body.bundle = state.patient.bundle; body.drafts = state.drafts; }
  status("run-status", "Running…");
  try {
    const result = await api("run", body);
    showCqlResult(result.cql);
    showCards(result.cards);
    showWhy(result.why);
    const overridden = Object.keys(body.parameters);
    status("run-status", result.service + " on " + state.patient.label + ": " + result.cards.length + " card(s)"
      + (overridden.length ? "; parameters changed: " + overridden.join(", ") : "; parameters at their defaults")
      + (result.cql.edited.length ? "; edited CQL: " + result.cql.edited.join(", ") : ""));
  } catch (e) {
    $("cards").replaceChildren();
    $("why").replaceChildren();
    status("run-status", e.message, true);
    showCqlErrors(e);
  }
}

function showCards(cards) {
  const container = $("cards");
  if (cards.length === 0) {
    container.replaceChildren(el("p", { class: "no-cards", id: "no-cards" }, "No cards."));
    return;
  }
  container.replaceChildren(...cards.map((card) => {
    const node = el("div", { class: "card indicator-" + card.indicator, "data-indicator": card.indicator },
      el("span", { class: "indicator" }, card.indicator),
      el("h3", { class: "card-summary" }, card.summary),
      markdown(card.detail));
    if (card.source) {
      node.append(el("div", { class: "source" }, "Source: ",
        card.source.url ? el("a", { href: card.source.url, target: "_blank", rel: "noopener noreferrer" }, card.source.label) : card.source.label));
    }
    if (card.links && card.links.length) {
      node.append(el("div", { class: "links" }, "Links: ", ...card.links.map((link) =>
        el("a", { href: link.url, target: "_blank", rel: "noopener noreferrer" }, link.label)).flatMap((a, i) => i ? [" · ", a] : [a])));
    }
    if (card.suggestions && card.suggestions.length) {
      node.append(el("div", { class: "suggestions" }, "Suggestions" + (card.selectionBehavior ? " (" + card.selectionBehavior + ")" : "") + ": ",
        ...card.suggestions.map((s) => el("span", { class: "suggestion", title: JSON.stringify(s.actions) },
          s.label + " [" + s.actions.map((a) => a.type + (a.resourceId ? " " + a.resourceId : a.resource ? " " + a.resource.resourceType : "")).join(", ") + "]"))));
    }
    if (card.overrideReasons && card.overrideReasons.length) {
      node.append(el("div", { class: "overrides" }, "Override reasons: " + card.overrideReasons.map((r) => r.display || r.code).join("; ")));
    }
    return node;
  }));
}

function plain(value) {
  if (value === null || value === undefined) return "null";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function showWhy(why) {
  const parameters = why.parameters.length === 0 ? el("p", { class: "hint" }, why.library + " has no parameters.")
    : el("table", {}, el("tr", {}, el("th", {}, "parameter"), el("th", {}, "value"), el("th", {}, "from")),
      ...why.parameters.map((p) => el("tr", {}, el("td", {}, p.name), el("td", {}, p.value), el("td", {}, p.source))));
  const evidence = (items) => items.length
    ? items.map((e) => e.resource + (e.dates ? " (" + e.dates + ")" : "")).join(", ") : "no resources";
  const cards = why.cards.map((card) => el("div", { class: "why-rule " + (card.fired ? "fired" : "silent") },
    el("h3", {}, (card.fired ? "Fired: " : "Did not fire: ") + card.summary),
    el("p", {}, "Deciding define ", el("strong", {}, card.condition), " = " + plain(card.conditionValue)
      + (card.fired ? "" : " (a card needs true)")),
    card.notMet.length ? el("ul", { class: "not-met" }, ...card.notMet.map((part) => part.value === "not shown"
      ? el("li", {}, "perhaps ", el("code", {}, part.expression + (part.so ? " then " + part.so : "")), " (not shown: it reads an included library or calls a function)")
      : el("li", {}, "because ", el("code", {}, part.expression), " is " + part.value + (part.so ? ", so " + part.so : "")))) : null,
    el("p", { class: "evidence" }, "It read " + evidence(card.evidence))));
  const defines = el("table", {}, el("tr", {}, el("th", {}, "define"), el("th", {}, "value"), el("th", {}, "resources behind it")),
    ...why.defines.map((define) => el("tr", {},
      el("td", { class: why.cards.some((c) => c.condition === define.name) ? "deciding" : null }, define.name),
      el("td", {}, plain(define.value)), el("td", {}, evidence(define.evidence)))));
  $("why").replaceChildren(
    el("p", {}, why.library + " evaluated at " + why.evaluatedAt + " (\"now\" for the CQL)"),
    el("h3", {}, "Parameters used"), parameters, ...cards,
    el("details", {}, el("summary", {}, "Every define of " + why.library), defines),
    el("details", {}, el("summary", {}, "As text (as ./cql-test prints it)"), el("pre", { class: "why-lines" }, why.why.join("\n"))));
}

async function runCases() {
  const service = serviceById($("service").value);
  if (!service) return;
  $("case-results").replaceChildren(el("p", { class: "hint" }, "Running the cases of " + service.rule + "…"));
  try {
    const result = await api("run-cases", { rule: service.rule, parameters: parameterOverrides(), cql: cqlEdits() });
    showCqlResult(result.cql);
    const changes = [Object.keys(parameterOverrides()).length ? "these parameters" : null,
      result.cql.edited.length ? "the edited CQL" : null].filter((c) => c).join(" and ") || "nothing changed";
    $("case-results").replaceChildren(
      el("p", {}, result.passed + " passed, " + result.failed + " failed, " + result.changed + " changed outcome with "
        + changes + " (compared with the saved CQL and defaults)."),
      el("table", {}, el("tr", {}, el("th", {}, "case"), el("th", {}, "service"), el("th", {}, "expected"),
        el("th", {}, "as saved"), el("th", {}, "now"), el("th", {}, "change"), el("th", {}, "result")),
      ...result.cases.map((c) => el("tr", { class: (c.passed ? "pass" : "fail") + (c.changed ? " changed" : ""), "data-case": c.case },
        el("td", {}, c.case), el("td", {}, c.service), el("td", {}, c.expectedToFire ? "fires" : "silent"),
        el("td", {}, (c.firesAsSaved ? "fires" : "silent") + (c.passedAsSaved ? " (pass)" : " (fail)")),
        el("td", {}, c.fires ? "fires" : "silent"), el("td", { class: "change" }, c.changed ? "changed" : ""),
        el("td", { class: "result", title: c.differences.join("\n") }, c.passed ? "PASS" : "FAIL")))));
  } catch (e) {
    $("case-results").replaceChildren(el("p", { class: "status error" }, e.message));
    showCqlErrors(e);
  }
}

// ---- live CQL editing: the edits live in this page only and go with each run

/** The edits to the libraries the picked service runs (edits to another rule's library stay in the page for later). */
function cqlEdits() {
  const service = serviceById($("service").value);
  const libraries = service ? service.libraries : [];
  return Object.fromEntries(Object.entries(state.cql.edits).filter(([library]) => libraries.includes(library)));
}

function showCqlLibraries() {
  const service = serviceById($("service").value);
  const select = $("cql-library");
  const previous = select.value;
  const libraries = service ? service.libraries : [];
  select.replaceChildren(...libraries.map((library) => el("option", { value: library },
    library + (state.cql.edits[library] !== undefined ? " (edited)" : ""))));
  if (libraries.includes(previous)) select.value = previous;
  showCqlSource();
}

async function showCqlSource() {
  const library = $("cql-library").value;
  if (!library) { $("cql-source").value = ""; return; }
  if (state.cql.saved[library] === undefined) {
    state.cql.saved[library] = (await api("cql/" + encodeURIComponent(library))).source;
  }
  $("cql-source").value = state.cql.edits[library] !== undefined ? state.cql.edits[library] : state.cql.saved[library];
  $("cql-source").dataset.library = library;
}

function editCql() {
  const library = $("cql-source").dataset.library;
  if (!library) return;
  const text = $("cql-source").value;
  if (text === state.cql.saved[library]) delete state.cql.edits[library];
  else state.cql.edits[library] = text;
  const option = [...$("cql-library").options].find((o) => o.value === library);
  if (option) option.textContent = library + (state.cql.edits[library] !== undefined ? " (edited)" : "");
  const edited = Object.keys(state.cql.edits);
  status("cql-status", edited.length ? "Edited, not saved: " + edited.join(", ") + ". Run to try it." : "The saved CQL.");
}

function revertCql() {
  delete state.cql.edits[$("cql-library").value];
  $("cql-errors").replaceChildren();
  showCqlSource().then(editCql);
}

function showCqlResult(cql) {
  $("cql-errors").replaceChildren();
  if (cql.edited.length) {
    status("cql-status", "Ran with the edited " + cql.edited.join(", ") + " (not saved); translated in "
      + cql.translationMillis + " ms" + (cql.cached ? ", already translated" : "") + ".");
  }
}

/** A run refused because the edited CQL does not translate: each error, clickable to its line. */
function showCqlErrors(error) {
  const errors = error.problem && error.problem.errors;
  if (!errors) return;
  status("cql-status", "The edited CQL does not translate; nothing ran with it.", true);
  $("cql-errors").replaceChildren(...errors.map((e) => {
    const item = el("li", { "data-line": e.line, "data-column": e.column },
      e.library + " line " + e.line + ":" + e.column + ": " + e.message);
    item.addEventListener("click", () => showCqlLine(e.library, e.line));
    return item;
  }));
}

function showCqlLine(library, line) {
  if ($("cql-library").value !== library) return;
  const textarea = $("cql-source");
  const lines = textarea.value.split("\n");
  const start = lines.slice(0, Math.max(0, line - 1)).reduce((sum, l) => sum + l.length + 1, 0);
  textarea.focus();
  textarea.setSelectionRange(start, start + (lines[line - 1] || "").length);
}

async function start() {
  $("load-case").addEventListener("click", () => loadCase().catch((e) => status("patient-status", e.message, true)));
  $("use-bundle").addEventListener("click", useBundle);
  $("service").addEventListener("change", () => { showParameters(); showDraftsPanel(); showCqlLibraries(); });
  $("run").addEventListener("click", run);
  $("reset-parameters").addEventListener("click", showParameters);
  $("run-cases").addEventListener("click", runCases);
  $("product-search").addEventListener("input", searchProducts);
  $("cql-library").addEventListener("change", () => showCqlSource().catch((e) => status("cql-status", e.message, true)));
  $("cql-source").addEventListener("input", editCql);
  $("cql-revert").addEventListener("click", revertCql);
  try {
    [state.services, state.cases] = await Promise.all([api("services"), api("cases")]);
  } catch (e) {
    status("patient-status", "Cannot reach the workbench API: " + e.message, true);
    return;
  }
  const group = (label, kind) => el("optgroup", { label },
    ...state.cases.filter((c) => c.kind === kind).map((c) => el("option", { value: c.id }, c.id.substring(kind.length + 1))));
  $("case").replaceChildren(group("Hook cases", "hook"), group("CQL cases", "cql"));
  fillServices(null);
  showDraftsPanel();
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", start);
