// The status page's script: reads /api/status every 5 seconds and redraws the cards and the chart. No build step.
'use strict';

const REFRESH_MS = 5000;
const COLORS = { dataset: '#2563eb', resource: '#16a34a', organization: '#d97706', reuse: '#9333ea', user: '#64748b', dataservice: '#db2777' };
let chart;

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child ?? '')));
  return node;
};
const fmt = (n) => Number(n ?? 0).toLocaleString('en');
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');
const duration = (s) => (s == null ? '' : s < 90 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`);
const show = (v) => (v === undefined ? '…' : typeof v === 'string' ? `"${v.length > 70 ? v.slice(0, 69) + '…' : v}"` : (JSON.stringify(v) ?? '').slice(0, 70));
/** Old and new; two long strings sharing a beginning are shown from a little before where they differ. */
function showPair(old, next) {
  if (typeof old === 'string' && typeof next === 'string' && Math.max(old.length, next.length) > 70) {
    let common = 0;
    while (common < old.length && common < next.length && old[common] === next[common]) common++;
    const cut = Math.max(0, common - 20);
    if (cut > 8) return [show(`…${old.slice(cut)}`), show(`…${next.slice(cut)}`)];
  }
  return [show(old), show(next)];
}

function drawTotals(totals) {
  const box = document.querySelector('#totals .tiles');
  box.replaceChildren(...totals.map((t) => el('div', { class: 'tile', 'data-kind': t.kind }, el('div', { class: 'n' }, fmt(t.live)), el('div', { class: 'muted' }, `${t.kind}${t.deleted ? ` · ${fmt(t.deleted)} deleted` : ''}`))));
}

function drawChart(perDay) {
  const days = [...new Set(perDay.map((d) => d.day))].sort();
  const kinds = [...new Set(perDay.map((d) => d.kind))].sort();
  const datasets = kinds.map((kind) => ({
    label: kind,
    backgroundColor: COLORS[kind] ?? '#94a3b8',
    data: days.map((day) => perDay.find((d) => d.day === day && d.kind === kind)?.changes ?? 0),
  }));
  if (!chart) {
    chart = new Chart(document.getElementById('chart'), {
      type: 'bar',
      data: { labels: days, datasets },
      options: { animation: false, maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } }, plugins: { legend: { position: 'right' } } },
    });
  } else {
    chart.data.labels = days;
    chart.data.datasets = datasets;
    chart.update();
  }
  document.getElementById('chart').dataset.days = String(days.length);
}

const RUN_COLUMNS = [['id', 'num'], ['mode'], ['status'], ['started'], ['duration', 'num'], ['seen', 'num'], ['inserted', 'num'], ['updated', 'num'], ['deleted', 'num'], ['rejected', 'num'], ['requests', 'num'], ['error']];

function drawRuns(runs) {
  const table = document.querySelector('#runs table');
  table.tHead.replaceChildren(el('tr', {}, ...RUN_COLUMNS.map(([name, cls]) => el('th', cls ? { class: cls } : {}, name))));
  const rows = runs.map((r) =>
    el('tr', { 'data-run': r.id, 'data-status': r.status },
      el('td', { class: 'num' }, r.id), el('td', {}, r.scope ? `${r.mode} ${r.scope}` : r.mode), el('td', { class: `status-${r.status}` }, r.status),
      el('td', {}, when(r.startedAt)), el('td', { class: 'num' }, duration(r.seconds)), el('td', { class: 'num' }, fmt(r.seen)),
      el('td', { class: 'num' }, fmt(r.inserted)), el('td', { class: 'num' }, fmt(r.updated)), el('td', { class: 'num' }, fmt(r.deleted)),
      el('td', { class: 'num' }, fmt(r.rejected)), el('td', { class: 'num' }, fmt(r.requests)), el('td', { class: 'error' }, r.error ?? '')));
  table.tBodies[0].replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: RUN_COLUMNS.length, class: 'muted' }, 'No runs yet: npm run mirror -- sync'))]));
}

function drawChanges(recent) {
  const items = recent.map((c) =>
    el('li', { class: 'change', 'data-op': c.op, 'data-kind': c.entityType },
      el('div', {}, el('span', { class: 'op' }, c.op), `${c.entityType} `, el('strong', {}, c.label ?? c.entityId), el('span', { class: 'muted' }, ` · run ${c.runId} · ${when(c.observedAt)}`)),
      ...c.fields.slice(0, 3).map((f) => {
        const [old, next] = showPair(f.old, f.new);
        return el('div', { class: 'field' }, `${f.field}: `, el('span', { class: 'old' }, f.oldKnown ? old : '?'), ' → ', el('span', { class: 'new' }, next));
      })));
  document.querySelector('#changes ul').replaceChildren(...(items.length ? items : [el('li', { class: 'muted' }, 'No changes recorded yet.')]));
}

function drawQueue(q) {
  const body = document.querySelector('#queue .body');
  if (!q.reachable) {
    body.replaceChildren(el('p', { class: 'status-failed' }, `Redis unreachable: ${q.error}`));
    return;
  }
  const next = (q.schedules ?? []).map((s) => `${s.id}: ${s.pattern ?? ''} ${s.tz ?? ''} → ${when(s.next)}`).join('\n') || 'none (npm run mirror -- schedule)';
  const c = q.counts ?? {};
  body.replaceChildren(el('dl', {},
    el('dt', {}, 'queue'), el('dd', {}, q.name),
    el('dt', {}, 'workers'), el('dd', { 'data-workers': q.workers }, fmt(q.workers)),
    el('dt', {}, 'waiting'), el('dd', {}, fmt((c.waiting ?? 0) + (c.delayed ?? 0) + (c['waiting-children'] ?? 0))),
    el('dt', {}, 'active'), el('dd', {}, fmt(c.active)),
    el('dt', {}, 'failed'), el('dd', {}, fmt(c.failed)),
    el('dt', {}, 'next run'), el('dd', {}, next)));
}

async function refresh() {
  try {
    const response = await fetch('/api/status', { cache: 'no-store' });
    if (!response.ok) throw new Error(`status ${response.status}`);
    const status = await response.json();
    document.getElementById('database').textContent = status.database;
    drawTotals(status.totals);
    drawChart(status.perDay);
    drawRuns(status.runs);
    drawChanges(status.recent);
    drawQueue(status.queue);
    const updated = document.getElementById('updated');
    updated.textContent = `updated ${new Date(status.generatedAt).toLocaleTimeString()}`;
    updated.dataset.at = status.generatedAt;
  } catch (error) {
    document.getElementById('updated').textContent = `refresh failed: ${error.message}`;
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

refresh();
