// The local dashboard: every action goes through the runner's control endpoints (/__portable/...).
// Whatever the App or its data holds is shown as text, never as markup.

const BASE = "/__portable/";
const KEPT_LOG_LINES = 1000;
const state = { app: null, stream: null, refreshTimer: null, loadErrorTimer: null };

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// A path segment for the URL: a key keeps its slashes, each part encoded.
const segment = (text) => encodeURIComponent(text);
const keyPath = (key) => key.split("/").map(encodeURIComponent).join("/");

class ControlError extends Error {}

async function control(method, path, { json, body, headers = {} } = {}) {
  // Marks the page's own calls: their successful reads print no console line (they would fill the live log).
  const options = { method, headers: { "X-Portable-Dashboard": "1", ...headers } };
  if (json !== undefined) {
    options.body = JSON.stringify(json);
    options.headers["Content-Type"] = "application/json";
  } else if (body !== undefined) {
    options.body = body;
  }
  const response = await fetch(BASE + path, options);
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  const answer = type.includes("application/json") ? await response.json() : await response.blob();
  if (!response.ok) {
    throw new ControlError(answer && answer.error ? answer.error : `HTTP ${response.status}`);
  }
  return answer;
}

function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

// A labelled control: the label names it for people and for assistive technology alike.
function field(labelText, control) {
  return el("div", { class: "field" }, el("label", { for: control.id }, labelText), control);
}

function bytes(size) {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

function setStatus(text, kind) {
  const status = $("status");
  status.textContent = text;
  status.className = `status ${kind}`;
}

function showError(target, error) {
  target.textContent = error instanceof Error ? error.message : String(error);
  target.classList.add("failed");
}

// The App ---------------------------------------------------------------------------------------------------------

async function refresh() {
  let described;
  try {
    described = await control("GET", "app");
  } catch (error) {
    setStatus("the runner does not answer; retrying…", "failed");
    scheduleRefresh(1000);
    return;
  }
  if (described.load_error) {
    showLoadError(described.load_error);
    scheduleRefresh(1000);
    return;
  }
  const first = state.app === null;
  state.app = described;
  $("load-error").hidden = true;
  $("dashboard").hidden = false;
  setStatus("running", "ok");
  $("retries").hidden = !described.fast_retries;
  renderWarnings(described.warnings);
  renderRoutes(described);
  renderBuckets(described);
  renderTables(described);
  renderSchedules(described);
  renderMessages(described);
  renderLogFunctions(described);
  $("dead-letter-count").textContent = described.dead_letters;
  if (first) {
    listObjects();
    listItems();
  }
  refreshDeadLetters();
  openStream();
}

function scheduleRefresh(delay) {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(refresh, delay);
}

function showLoadError(error) {
  state.app = null;
  $("dashboard").hidden = true;
  $("load-error").hidden = false;
  setStatus("the app failed to load", "failed");
  const where = error.file ? `${error.file}, line ${error.line}: ` : "";
  $("load-error-summary").textContent = `${where}${error.type}: ${error.message}`;
  $("load-error-traceback").textContent = error.traceback;
}

function renderWarnings(warnings) {
  $("warnings").replaceChildren(...warnings.map((text) => el("li", {}, text.replace(/^warning: /, ""))));
}

function selectOptions(select, names) {
  const chosen = select.value;
  select.replaceChildren(...names.map((name) => el("option", { value: name }, name)));
  if (names.includes(chosen)) select.value = chosen;
}

// Routes ----------------------------------------------------------------------------------------------------------

function renderRoutes(app) {
  $("route-rows").replaceChildren(
    ...app.routes.map((route) =>
      el(
        "tr",
        {},
        el("td", {}, el("code", {}, route.method)),
        el("td", {}, el("code", {}, route.path)),
        el("td", {}, route.function),
        el("td", {}, route.auth || ""),
        el("td", {}, el("button", { type: "button", onclick: () => useRoute(route) }, "Use")),
      ),
    ),
  );
  $("sign-in").hidden = app.auths.length === 0;
  selectOptions($("sign-in-auth"), app.auths.map((auth) => auth.name));
}

function useRoute(route) {
  $("request-method").value = route.method === "ANY" ? "GET" : route.method;
  $("request-path").value = route.path;
  if (route.auth) $("sign-in-auth").value = route.auth;
  $("request-path").focus();
}

function parseHeaders(text) {
  const headers = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const colon = line.indexOf(":");
    if (colon < 1) throw new Error(`a header is "Name: value", not ${JSON.stringify(line)}`);
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return headers;
}

async function sendRequest(event) {
  event.preventDefault();
  const reply = $("response");
  reply.hidden = false;
  $("response-status").textContent = "…";
  $("response-status").className = "status-code";
  $("response-time").textContent = "";
  $("response-headers").textContent = "";
  $("response-body").textContent = "";
  $("response-body").classList.remove("failed");
  try {
    const headers = parseHeaders($("request-headers").value);
    const body = $("request-body").value;
    const subject = $("sign-in-subject").value.trim();
    if (subject) {
      const query = new URLSearchParams({ subject, scope: $("sign-in-scopes").value.trim() });
      if ($("sign-in-auth").value) query.set("auth", $("sign-in-auth").value);
      const minted = await control("POST", `token?${query}`);
      headers.push(["Authorization", `Bearer ${minted.token}`]);
    }
    if (body && !headers.some(([name]) => name.toLowerCase() === "content-type")) {
      headers.push(["Content-Type", body.trim().startsWith("{") || body.trim().startsWith("[") ? "application/json" : "text/plain"]);
    }
    const answer = await control("POST", "requests", {
      json: { method: $("request-method").value, path: $("request-path").value, headers, body },
    });
    const status = $("response-status");
    status.textContent = String(answer.status);
    status.className = `status-code ${answer.status < 400 ? "ok" : "failed"}`;
    $("response-time").textContent = `${answer.milliseconds} ms`;
    $("response-headers").textContent = answer.headers.map(([name, value]) => `${name}: ${value}`).join("\n");
    $("response-body").textContent =
      answer.body !== undefined ? pretty(answer.body) : `(binary, base64) ${answer.body_base64}`;
  } catch (error) {
    $("response-status").textContent = "not sent";
    showError($("response-body"), error);
  }
}

// Buckets ---------------------------------------------------------------------------------------------------------

function renderBuckets(app) {
  selectOptions($("bucket"), app.buckets.map((bucket) => bucket.name));
  describeBucket();
}

function describeBucket() {
  const bucket = state.app && state.app.buckets.find((found) => found.name === $("bucket").value);
  $("bucket-triggers").textContent = describeTriggers(bucket, "bucket");
}

// What the functions a bucket or table triggers take from it, as the App's description lists them.
function describeTriggers(resource, kind) {
  const triggers = resource ? resource.triggers : [];
  return triggers.length
    ? "Triggers: " +
      triggers
        .map((t) => `${t.function} on ${t.kind}${t.prefix ? ` prefix ${t.prefix}` : ""}${t.suffix ? ` suffix ${t.suffix}` : ""}`)
        .join("; ")
    : `No function is triggered by this ${kind}.`;
}

async function listObjects(event) {
  if (event) event.preventDefault();
  const bucket = $("bucket").value;
  if (!bucket) return;
  const rows = $("object-rows");
  try {
    const query = new URLSearchParams({ prefix: $("bucket-prefix").value });
    const listed = await control("GET", `objects/${segment(bucket)}?${query}`);
    rows.replaceChildren(
      ...listed.objects.map((object) =>
        el(
          "tr",
          {},
          el("td", {}, el("code", {}, object.key)),
          el("td", {}, bytes(object.size)),
          el("td", {}, new Date(object.last_modified).toLocaleString()),
          el(
            "td",
            { class: "actions" },
            el("button", { type: "button", onclick: () => download(bucket, object.key) }, "Download"),
            el("button", { type: "button", onclick: () => preview(bucket, object.key) }, "Preview"),
            el("button", { type: "button", class: "danger", onclick: () => removeObject(bucket, object.key) }, "Delete"),
          ),
        ),
      ),
    );
    if (!listed.objects.length) rows.replaceChildren(el("tr", {}, el("td", { colspan: 4, class: "muted" }, "No objects.")));
  } catch (error) {
    rows.replaceChildren(el("tr", {}, el("td", { colspan: 4, class: "failed" }, error.message)));
  }
}

async function objectBlob(bucket, key) {
  return control("GET", `objects/${segment(bucket)}/${keyPath(key)}`);
}

async function download(bucket, key) {
  const blob = await objectBlob(bucket, key);
  const link = el("a", { href: URL.createObjectURL(blob), download: key.split("/").pop() });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

async function preview(bucket, key) {
  const image = $("object-preview");
  const blob = await objectBlob(bucket, key);
  if (!blob.type.startsWith("image/") || blob.type.includes("svg")) {
    image.hidden = true;
    $("bucket-triggers").textContent = `${key} is ${blob.type || "not an image"}: download it to look inside.`;
    return;
  }
  if (image.src) URL.revokeObjectURL(image.src);
  image.src = URL.createObjectURL(blob);
  image.alt = `${bucket}/${key}`;
  image.hidden = false;
}

async function removeObject(bucket, key) {
  if (!confirm(`Delete ${bucket}/${key}? Its bucket's delete triggers run.`)) return;
  await control("DELETE", `objects/${segment(bucket)}/${keyPath(key)}`);
  listObjects();
}

function chooseFile() {
  const file = $("upload-file").files[0];
  if (file) $("upload-key").value = $("bucket-prefix").value + file.name;
}

async function upload(event) {
  event.preventDefault();
  const result = $("upload-result");
  result.classList.remove("failed");
  const file = $("upload-file").files[0];
  const bucket = $("bucket").value;
  const key = $("upload-key").value || (file && file.name);
  if (!file || !key) {
    showError(result, "choose a file, and a key to store it under");
    return;
  }
  try {
    const headers = { "Content-Type": file.type || "application/octet-stream" };
    const stored = await control("PUT", `objects/${segment(bucket)}/${keyPath(key)}`, { body: file, headers });
    result.textContent = `Stored ${bucket}/${stored.key} (${bytes(stored.size)}).`;
    listObjects();
  } catch (error) {
    showError(result, error);
  }
}

// Tables ----------------------------------------------------------------------------------------------------------

function renderTables(app) {
  selectOptions($("table"), app.tables.map((table) => table.name));
  describeTable();
}

function describeTable() {
  const table = state.app && state.app.tables.find((found) => found.name === $("table").value);
  $("table-triggers").textContent = describeTriggers(table, "table");
}

async function listItems(event) {
  if (event) event.preventDefault();
  const table = $("table").value;
  if (!table) return;
  const rows = $("item-rows");
  try {
    const query = new URLSearchParams({ prefix: $("table-prefix").value });
    const listed = await control("GET", `tables/${segment(table)}?${query}`);
    rows.replaceChildren(
      ...listed.items.map((item) =>
        el(
          "tr",
          {},
          el("td", {}, el("button", { type: "button", class: "link", onclick: () => showItem(table, item.key) }, item.key)),
          el("td", {}, el("code", { class: "clip" }, JSON.stringify(item.value))),
        ),
      ),
    );
    if (!listed.items.length) rows.replaceChildren(el("tr", {}, el("td", { colspan: 2, class: "muted" }, "No items.")));
  } catch (error) {
    rows.replaceChildren(el("tr", {}, el("td", { colspan: 2, class: "failed" }, error.message)));
  }
}

async function showItem(table, key) {
  const item = await control("GET", `tables/${segment(table)}/${keyPath(key)}`);
  $("item").hidden = false;
  $("item-key").textContent = item.key;
  $("item-version").textContent = item.version;
  $("item-value").textContent = JSON.stringify(item.value, null, 2);
}

// Schedules -------------------------------------------------------------------------------------------------------

function renderSchedules(app) {
  const cards = app.schedules.map((schedule) => {
    const result = el("p", { class: "result", "aria-live": "polite" });
    return el(
      "article",
      { class: "card", "aria-label": `schedule ${schedule.name}` },
      el("h3", {}, schedule.name),
      el("p", { class: "muted" }, schedule.schedule),
      el("p", {}, `Next ${schedule.next.length} firings (${schedule.timezone}):`),
      el("ol", { class: "times" }, schedule.next.map((when) => el("li", {}, el("time", { datetime: when }, when)))),
      el("button", { type: "button", onclick: () => fire(schedule.name, result) }, "Fire now"),
      result,
    );
  });
  $("schedule-cards").replaceChildren(...(cards.length ? cards : [el("p", { class: "muted" }, "The App has no schedules.")]));
}

async function fire(name, result) {
  result.className = "result";
  result.textContent = "firing…";
  try {
    const fired = await control("POST", `schedules/${segment(name)}`);
    result.textContent = `${fired.outcome} (HTTP ${fired.status})`;
    result.classList.add("ok");
  } catch (error) {
    showError(result, error);
  }
}

// Queues and topics -----------------------------------------------------------------------------------------------

function renderMessages(app) {
  const card = (kind, source, receivers) => {
    const body = el("textarea", { id: `${kind}-${source.name}-body`, rows: 3, spellcheck: "false" }, "{}");
    const attributes = el("input", { id: `${kind}-${source.name}-attributes`, placeholder: '{"name": "value"}' });
    const result = el("p", { class: "result", "aria-live": "polite" });
    const verb = kind === "queue" ? "Send" : "Publish";
    return el(
      "article",
      { class: "card", "aria-label": `${kind} ${source.name}` },
      el("h3", {}, source.name, " ", el("span", { class: "muted" }, kind)),
      el(
        "ul",
        { class: "receivers" },
        receivers.map((receiver) => el("li", {}, `${receiver.name}: `, el("span", { class: "pending" }, `${receiver.pending} pending`))),
      ),
      field("Body", body),
      field("Attributes (JSON)", attributes),
      el("button", { type: "button", onclick: () => sendMessage(kind, source.name, body, attributes, result) }, verb),
      result,
    );
  };
  const cards = [
    ...app.queues.map((queue) => card("queue", queue, queue.consumers)),
    ...app.topics.map((topic) => card("topic", topic, topic.subscribers)),
  ];
  const holder = $("message-cards");
  const typing = holder.contains(document.activeElement);
  if (typing) return; // do not wipe what is being written; the counts come with the next refresh
  holder.replaceChildren(...(cards.length ? cards : [el("p", { class: "muted" }, "The App has no queues or topics.")]));
}

async function sendMessage(kind, name, body, attributes, result) {
  result.className = "result";
  try {
    const json = { body: body.value, attributes: attributes.value.trim() ? JSON.parse(attributes.value) : {} };
    const sent = await control("POST", `${kind}s/${segment(name)}/messages`, { json });
    result.textContent = `${kind === "queue" ? "Sent" : "Published"}: message ${sent.message_id}`;
    result.classList.add("ok");
    soon();
  } catch (error) {
    showError(result, error);
  }
}

// Dead letters ----------------------------------------------------------------------------------------------------

async function refreshDeadLetters() {
  const holder = $("dead-letter-cards");
  if (holder.contains(document.activeElement)) return; // a body is being edited
  let listed;
  try {
    listed = await control("GET", "dead-letters");
  } catch (error) {
    return;
  }
  const letters = listed.dead_letters.slice().reverse();
  $("dead-letter-count").textContent = letters.length;
  $("dead-letters-empty").hidden = letters.length > 0;
  holder.replaceChildren(...letters.map(letterCard));
}

function letterCard(letter) {
  const name = `${letter.function}/${letter.id}`;
  const result = $("dead-letters-result"); // the card goes once the letter does; the outcome stays
  const editable = letter.editable;
  const original = letter.body_json !== undefined ? JSON.stringify(letter.body_json, null, 2) : letter.body_text;
  const body = editable
    ? el("textarea", { id: `letter-${letter.id}-body`, rows: 5, spellcheck: "false", readonly: original === undefined }, original ?? letter.event.body)
    : null;
  const replay = async () => {
    result.className = "result";
    try {
      const edited = body && original !== undefined && body.value !== original;
      const replayed = await control("POST", `dead-letters/${segment(letter.function)}/${letter.id}/replay`, edited ? { json: { body: body.value } } : {});
      result.textContent = `Replayed ${name}${edited ? " with the edited body" : ""}: event ${replayed.event_id}`;
      result.classList.add("ok");
      body && body.blur();
      soon();
    } catch (error) {
      showError(result, error);
    }
  };
  const discard = async () => {
    if (!confirm(`Discard ${name}? Its event is gone for good.`)) return;
    try {
      await control("DELETE", `dead-letters/${segment(letter.function)}/${letter.id}`);
      result.className = "result ok";
      result.textContent = `Discarded ${name}`;
      soon();
    } catch (error) {
      showError(result, error);
    }
  };
  return el(
    "article",
    { class: "card letter", "aria-label": `dead letter ${name}` },
    el("h3", {}, letter.function, " ", el("span", { class: "muted" }, letter.about)),
    el("p", { class: "muted" }, `${letter.attempts} attempts; dead-lettered ${new Date(letter.dead_lettered).toLocaleString()}`),
    el("p", { class: "error-text" }, letter.error),
    letter.exception ? el("details", {}, el("summary", {}, "Traceback"), el("pre", {}, letter.exception.traceback)) : null,
    editable ? field(original === undefined ? "Body (base64: not text)" : "Body (edit it, then replay)", body) : null,
    el(
      "div",
      { class: "row" },
      el("button", { type: "button", onclick: replay }, "Replay"),
      el("button", { type: "button", class: "danger", onclick: discard }, "Discard"),
    ),
  );
}

// The live log ----------------------------------------------------------------------------------------------------

function renderLogFunctions(app) {
  const select = $("log-function");
  const chosen = select.value;
  select.replaceChildren(
    el("option", { value: "" }, "all"),
    ...app.functions.map((fn) => el("option", { value: fn.name }, `${fn.name} (${fn.trigger})`)),
  );
  select.value = app.functions.some((fn) => fn.name === chosen) ? chosen : "";
}

function openStream() {
  if (state.stream && state.stream.readyState !== EventSource.CLOSED) return;
  const stream = new EventSource(`${BASE}log/stream`);
  state.stream = stream;
  let broken = false;
  stream.onmessage = (event) => {
    const line = JSON.parse(event.data);
    appendLine(line);
    if (line.level !== "ok" || line.trigger !== "http") soon();
  };
  stream.onerror = () => {
    broken = true;
    setStatus("reloading…", "busy");
    if (stream.readyState === EventSource.CLOSED) scheduleRefresh(500); // e.g. the code no longer loads
  };
  stream.onopen = () => {
    if (broken) refresh(); // a new serving process: its code may declare other things
    setStatus("running", "ok");
  };
}

function appendLine(line) {
  const list = $("log-lines");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const item = el("li", { class: `line ${line.level}`, "data-function": line.function }, line.text);
  item.hidden = !matches(item);
  list.append(item);
  while (list.childElementCount > KEPT_LOG_LINES) list.firstElementChild.remove();
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function matches(item) {
  const fn = $("log-function").value;
  const text = $("log-filter").value.toLowerCase();
  return (!fn || item.dataset.function === fn) && (!text || item.textContent.toLowerCase().includes(text));
}

function filterLog() {
  for (const item of $("log-lines").children) item.hidden = !matches(item);
}

// After an action or an event: the pending counts and dead letters, once things settle.
function soon() {
  clearTimeout(state.soonTimer);
  state.soonTimer = setTimeout(() => {
    if (state.app) {
      refreshCounts();
      refreshDeadLetters();
    }
  }, 300);
}

async function refreshCounts() {
  try {
    const described = await control("GET", "app");
    if (described.load_error) return;
    state.app = described;
    renderMessages(described);
    $("dead-letter-count").textContent = described.dead_letters;
  } catch {
    // the runner is reloading; the stream's reconnect refreshes everything
  }
}

// Tabs ------------------------------------------------------------------------------------------------------------

function selectTab(tab) {
  for (const other of document.querySelectorAll('[role="tab"]')) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    $(other.getAttribute("aria-controls")).hidden = !selected;
  }
  if (tab.id === "tab-dead-letters") refreshDeadLetters();
}

function start() {
  for (const tab of document.querySelectorAll('[role="tab"]')) tab.addEventListener("click", () => selectTab(tab));
  $("request-form").addEventListener("submit", sendRequest);
  $("bucket-form").addEventListener("submit", listObjects);
  $("bucket").addEventListener("change", () => {
    describeBucket();
    listObjects();
  });
  $("upload-file").addEventListener("change", chooseFile);
  $("upload-form").addEventListener("submit", upload);
  $("table-form").addEventListener("submit", listItems);
  $("table").addEventListener("change", () => {
    describeTable();
    listItems();
  });
  $("log-function").addEventListener("change", filterLog);
  $("log-filter").addEventListener("input", filterLog);
  $("log-clear").addEventListener("click", () => $("log-lines").replaceChildren());
  refresh();
}

start();
