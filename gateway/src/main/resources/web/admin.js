// The node view (/admin): polls GET /api/v1/admin/node every second with an admin or service
// token and draws what it answers. Rates and recent latencies come from two successive readings
// of the node's counters and commit histogram. Everything the node sends is put on the page as
// text (never as HTML): refused handshakes' paths are whatever a stranger asked for.
'use strict';
(() => {
  const API = '/api/v1/admin/node';
  const DEV_TOKENS = '/api/v1/dev/tokens';
  const TOKEN_KEY = 'parley.admin.token';
  const POLL_MS = 1000;
  const WINDOW = 120;                 // points kept per chart: two minutes at one poll a second
  const DIALECTS = ['events', 'typed', 'actions', 'pair', 'feed'];
  const DIALECT_COLORS = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626'];

  const $ = id => document.getElementById(id);
  let pollTimer = null;
  let previous = null;                // the last reading, for rates
  let charts = null;
  let data = emptySeries();

  function emptySeries() {
    return {
      time: [],
      connections: DIALECTS.map(() => []),
      traffic: [[], [], [], []],        // frames in, frames out, messages committed, deliveries
      latency: [[], [], []],            // mean, p50, p99 in ms
    };
  }

  // --- token ------------------------------------------------------------------------------------

  const storedToken = () => sessionStorage.getItem(TOKEN_KEY);
  const forgetToken = () => sessionStorage.removeItem(TOKEN_KEY);

  function useToken(token) {
    sessionStorage.setItem(TOKEN_KEY, token.trim());
    $('token').value = '';
    hideError();
    startPolling();
  }

  async function offerDevToken() {
    // A GET answers 405 where the minting route exists, 404 where development tokens are off.
    try {
      const probe = await fetch(DEV_TOKENS, { method: 'GET' });
      $('dev-tokens').hidden = probe.status !== 405;
    } catch (_) {
      $('dev-tokens').hidden = true;
    }
  }

  async function mintDevToken() {
    try {
      const res = await fetch(DEV_TOKENS, { method: 'POST', body: JSON.stringify({ sub: 'admin', role: 'admin' }) });
      const body = await res.json().catch(() => ({}));
      if (!res.ok || !body.token) {
        showError(`Could not mint a development token (${res.status}): ${errorMessage(body)}`);
        return;
      }
      useToken(body.token);
    } catch (e) {
      showError(`Could not mint a development token: ${e.message}`);
    }
  }

  // --- polling ----------------------------------------------------------------------------------

  function startPolling() {
    stopPolling();
    $('sign-in').hidden = true;
    $('sign-out').hidden = false;
    previous = null;
    data = emptySeries();
    poll();
  }

  function stopPolling() {
    if (pollTimer !== null) {
      clearTimeout(pollTimer);
      pollTimer = null;
    }
  }

  async function poll() {
    pollTimer = null;
    const token = storedToken();
    if (!token) {
      signIn();
      return;
    }
    let res;
    try {
      res = await fetch(API, { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' });
    } catch (e) {
      if (storedToken() !== token) {
        return;
      }
      pollState(`node unreachable (${e.message}); retrying`, true);
      schedule();
      return;
    }
    const body = await res.json().catch(() => ({}));
    if (storedToken() !== token) {
      return;                          // signed out or another token meanwhile: this answer is stale
    }
    if (res.status === 401 || res.status === 403) {
      refused(res.status, body);
      return;
    }
    if (!res.ok) {
      pollState(`the node answered ${res.status}: ${errorMessage(body)}; retrying`, true);
      schedule();
      return;
    }
    hideError();
    render(body);
    pollState('updated ' + new Date().toLocaleTimeString(), false);
    schedule();
  }

  function schedule() {
    if (storedToken()) {
      pollTimer = setTimeout(poll, POLL_MS);
    }
  }

  /** The token is not good for this page: say why, show nothing of the node, ask again. */
  function refused(status, body) {
    stopPolling();
    forgetToken();
    clearView();
    const next = status === 403 ? 'Sign in with an admin or service token, not a user\'s.'
      : 'Sign in with a valid admin or service token signed by this node.';
    showError(`Token refused (${status}): ${errorMessage(body)}. ${next}`);
    signIn();
  }

  function signIn() {
    $('view').hidden = true;
    $('sign-out').hidden = true;
    $('sign-in').hidden = false;
    $('node-line').textContent = '';
    pollState('', false);
    offerDevToken();
  }

  function clearView() {
    $('view').hidden = true;
    for (const id of ['cluster', 'refused', 'configuration']) {
      $(id).querySelector('tbody').replaceChildren();
    }
    previous = null;
    data = emptySeries();
    if (charts) {
      charts.forEach(chart => chart.destroy());
      charts = null;
    }
  }

  // --- rendering --------------------------------------------------------------------------------

  function render(view) {
    $('view').hidden = false;
    const node = view.node;
    $('node-line').textContent = `node ${node.id} · version ${node.version || '?'} · Java ${node.java || '?'} · up ${duration(node.uptime_seconds)}`;
    renderTiles(view);
    record(view);
    drawCharts();
    renderCluster(view.cluster, node.id);
    renderRefused(view.refused_handshakes);
    renderConfiguration(view.configuration);
    previous = view;
  }

  function renderTiles(view) {
    const c = view.connections;
    $('tile-connections').textContent = c.total;
    $('tile-dialects').textContent = Object.entries(c.by_dialect).filter(([, n]) => n > 0)
      .map(([d, n]) => `${d} ${n}`).join(' · ');
    const t = view.traffic;
    const rates = trafficRates(view);
    const tiles = [['in', t.frames_in, 0], ['out', t.frames_out, 1], ['committed', t.messages_in, 2],
      ['deliveries', t.deliveries, 3]];
    for (const [name, total, i] of tiles) {
      $('tile-' + name).textContent = rates ? rate(rates[i]) : '–';
      $('total-' + name).textContent = `${total} total`;
      $('tile-' + name).dataset.total = total;
    }
    const latency = intervalLatency(view);
    $('tile-p99').textContent = latency && latency[2] !== null ? ms(latency[2]) : '–';
    $('tile-mean').textContent = latency && latency[0] !== null ? `mean ${ms(latency[0])} · ${latency[3]} commit${latency[3] === 1 ? '' : 's'}` : 'no commits this second';
  }

  /** Per second since the previous reading, by the node's own uptime (no clock skew). */
  function trafficRates(view) {
    const dt = previous ? view.node.uptime_seconds - previous.node.uptime_seconds : 0;
    if (!previous || dt <= 0) {
      return null;
    }
    const now = view.traffic, before = previous.traffic;
    return ['frames_in', 'frames_out', 'messages_in', 'deliveries']
      .map(key => Math.max(0, (now[key] - before[key]) / dt));
  }

  /**
   * The commits since the previous reading: [mean, p50, p99] in ms (null without commits) and their
   * number. Percentiles are the upper bound of the histogram bucket they fall in.
   */
  function intervalLatency(view) {
    if (!previous) {
      return null;
    }
    const now = view.commit_latency, before = previous.commit_latency;
    const commits = now.count - before.count;
    if (commits <= 0) {
      return [null, null, null, 0];
    }
    const earlier = new Map(before.buckets.map(b => [b.le, b.count]));
    const quantile = q => {
      for (const b of now.buckets) {
        if (b.count - (earlier.get(b.le) || 0) >= q * commits) {
          return b.le * 1000;
        }
      }
      return now.max_seconds * 1000;  // beyond the last bucket
    };
    return [(now.sum_seconds - before.sum_seconds) / commits * 1000, quantile(0.5), quantile(0.99), commits];
  }

  function record(view) {
    const rates = trafficRates(view);
    if (!rates) {
      return;                          // the first reading only sets the baseline
    }
    const latency = intervalLatency(view);
    push(data.time, Date.now() / 1000);
    DIALECTS.forEach((d, i) => push(data.connections[i], view.connections.by_dialect[d] || 0));
    rates.forEach((r, i) => push(data.traffic[i], r));
    latency.slice(0, 3).forEach((v, i) => push(data.latency[i], v));
  }

  function push(list, value) {
    list.push(value);
    if (list.length > WINDOW) {
      list.shift();
    }
  }

  function drawCharts() {
    if (!window.uPlot) {
      return;                          // the chart library did not load: tiles and tables still work
    }
    if (!charts) {
      charts = [
        chart('chart-connections', DIALECTS.map((d, i) => ({ label: d, stroke: DIALECT_COLORS[i] })), 'open'),
        chart('chart-traffic', [
          { label: 'frames in', stroke: '#2563eb' }, { label: 'frames out', stroke: '#0891b2' },
          { label: 'committed', stroke: '#16a34a' }, { label: 'deliveries', stroke: '#d97706' }], 'per second'),
        chart('chart-latency', [
          { label: 'mean', stroke: '#6b7280' }, { label: 'p50', stroke: '#2563eb' },
          { label: 'p99', stroke: '#dc2626' }], 'ms'),
      ];
    }
    charts[0].setData([data.time, ...data.connections]);
    charts[1].setData([data.time, ...data.traffic]);
    charts[2].setData([data.time, ...data.latency]);
  }

  function chart(id, series, unit) {
    const el = $(id);
    const opts = {
      width: Math.max(280, el.clientWidth),
      height: 220,
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
      series: [{}, ...series.map(s => ({ ...s, width: 2, spanGaps: false }))],
      axes: [{}, { label: unit, size: 60 }],
      legend: { live: false },
    };
    return new uPlot(opts, [[], ...series.map(() => [])], el);
  }

  function resizeCharts() {
    if (!charts) {
      return;
    }
    ['chart-connections', 'chart-traffic', 'chart-latency'].forEach((id, i) =>
      charts[i].setSize({ width: Math.max(280, $(id).clientWidth), height: 220 }));
  }

  function renderCluster(cluster, self) {
    const rows = [
      ['Bus', cluster.bus === 'local' ? 'local (one node, in-process)' : cluster.bus],
      ['Connected', statusDot(cluster.connected, cluster.connected ? 'yes' : 'no: events do not reach the other nodes')],
      ['Nodes', nodeList(cluster.nodes, self)],
    ];
    if (cluster.redis_servers.length > 0) {
      rows.push(['Redis servers', cluster.redis_servers.map(s => `${s.endpoint} (${s.connections} open)`).join(', ')]);
    }
    fillRows($('cluster'), rows.map(([name, value]) => [th(name), td(value)]));
  }

  function nodeList(nodes, self) {
    const span = document.createElement('span');
    nodes.forEach((n, i) => {
      if (i > 0) span.append(', ');
      const item = document.createElement('span');
      item.textContent = n === self ? `${n} (this node)` : String(n);
      if (n === self) item.className = 'self';
      span.append(item);
    });
    return span;
  }

  function statusDot(up, text) {
    const span = document.createElement('span');
    const dot = document.createElement('span');
    dot.className = 'dot ' + (up ? 'up' : 'down');
    span.append(dot, text);
    return span;
  }

  function renderRefused(refusals) {
    $('refused-hint').textContent = `(the last ${refusals.capacity} at most)`;
    const rows = refusals.recent.map(r => [
      td(new Date(r.time).toLocaleTimeString()), td(r.remote_address, 'mono'), td(r.path, 'path'),
      td(r.reason, 'mono'), td(String(r.status))]);
    fillRows($('refused'), rows.length ? rows : [[td('None since the node started.', 'empty', 5)]]);
  }

  function renderConfiguration(configuration) {
    fillRows($('configuration'), Object.entries(configuration).map(([key, value]) =>
      [td(key), td(value, value === '***' ? 'secret' : '')]));
  }

  // --- helpers ------------------------------------------------------------------------------------

  function fillRows(table, rows) {
    const tbody = table.querySelector('tbody');
    tbody.replaceChildren(...rows.map(cells => {
      const tr = document.createElement('tr');
      tr.append(...cells);
      return tr;
    }));
  }

  function td(content, className = '', colspan = 1) {
    const cell = document.createElement('td');
    if (content instanceof Node) cell.append(content); else cell.textContent = content;
    if (className) cell.className = className;
    if (colspan > 1) cell.colSpan = colspan;
    return cell;
  }

  function th(text) {
    const cell = document.createElement('th');
    cell.scope = 'row';
    cell.textContent = text;
    return cell;
  }

  function errorMessage(body) {
    return (body && body.error && body.error.message) || 'no reason given';
  }

  function showError(text) {
    $('error').textContent = text;
    $('error').hidden = false;
  }

  function hideError() {
    $('error').hidden = true;
    $('error').textContent = '';
  }

  function pollState(text, stale) {
    $('poll-state').textContent = text;
    $('poll-state').classList.toggle('stale', stale);
  }

  const rate = r => (r >= 100 ? Math.round(r) : Math.round(r * 10) / 10).toString();
  const ms = v => (v >= 100 ? Math.round(v) : Math.round(v * 100) / 100) + ' ms';

  function duration(seconds) {
    const s = Math.floor(seconds);
    const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s % 60}s` : `${s % 60}s`;
  }

  // --- start --------------------------------------------------------------------------------------

  $('token-form').addEventListener('submit', e => {
    e.preventDefault();
    const token = $('token').value.trim();
    if (token) useToken(token);
  });
  $('mint').addEventListener('click', mintDevToken);
  $('sign-out').addEventListener('click', () => {
    stopPolling();
    forgetToken();
    clearView();
    hideError();
    signIn();
  });
  window.addEventListener('resize', resizeCharts);

  if (storedToken()) {
    startPolling();
  } else {
    signIn();
  }
})();
