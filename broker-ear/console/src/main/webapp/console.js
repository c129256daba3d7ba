// The broker console: polls the admin REST API (same origin, BASIC credentials of the page) and renders it.
// Data is inserted with textContent only, so client ids and topics can never inject markup.
'use strict';

const API = 'api/';
const REFRESH_MS = 2000;
const RATE_POINTS = 60; // 2 minutes at one point per refresh
const rates = { in: [], out: [] };
let previous = null;

async function api(path, options = {}) {
  const headers = { Accept: 'application/json' };
  if (options.method && options.method !== 'GET') {
    headers['X-Requested-By'] = 'mqtt-console'; // the API's protection against cross-site requests
  }
  // A page opened as http://user:password@host/ resolves relative URLs with those credentials, which fetch()
  // refuses; the browser already holds them for this origin, so the URL goes without them.
  const url = new URL(API + path, location.href);
  url.username = '';
  url.password = '';
  const response = await fetch(url, { ...options, headers, credentials: 'same-origin' });
  if (!response.ok) {
    let reason = response.status + ' ' + response.statusText;
    try { reason = (await response.json()).error || reason; } catch (e) { /* no JSON body */ }
    throw new Error(reason);
  }
  return response.status === 204 ? null : response.json();
}

function say(text, isError) {
  const m = document.getElementById('message');
  m.textContent = text;
  m.className = isError ? 'error' : '';
}

function cell(row, value, className) {
  const td = row.insertCell();
  td.textContent = value === null || value === undefined ? '' : String(value);
  if (className) td.className = className;
  return td;
}

function button(row, label, title, action) {
  const b = document.createElement('button');
  b.textContent = label;
  b.title = title;
  b.className = 'danger';
  b.addEventListener('click', action);
  row.insertCell().appendChild(b);
}

function fill(tableId, items, columns, emptyText) {
  const body = document.querySelector('#' + tableId + ' tbody');
  body.replaceChildren();
  if (items.length === 0) {
    const td = body.insertRow().insertCell();
    td.colSpan = columns;
    td.className = 'empty';
    td.textContent = emptyText;
  }
  return body;
}

function expiry(seconds) {
  return seconds >= 4294967295 ? 'never' : seconds + ' s';
}

async function act(what, call) {
  try {
    await call();
    say(what + ': done');
  } catch (e) {
    say(what + ': ' + e.message, true);
  }
  refresh();
}

function renderOverview(o) {
  const status = document.getElementById('status');
  const ready = o.running && o.storeReachable;
  status.textContent = o.running ? (ready ? 'running' : 'store unreachable') : 'stopped';
  status.className = 'badge ' + (ready ? 'up' : 'down');
  document.getElementById('listeners').textContent = o.listeners.join('  ');
  document.getElementById('store').textContent = o.storeStatus;
  const m = o.metrics;
  const set = (id, v) => { document.getElementById(id).textContent = v; };
  set('m-connections', m.connections);
  set('m-sessions', m.sessions);
  set('m-subscriptions', m.subscriptions);
  set('m-retained', m.retainedMessages);
  set('m-queued', m.queued);
  set('m-inflight', m.inflight);
  set('m-dropped', m.messagesDropped);
  recordRates(m);
}

const sum = (list) => list.reduce((a, b) => a + b, 0);

function recordRates(m) {
  if (previous) {
    const seconds = Math.max(0.001, (m.timestampMillis - previous.timestampMillis) / 1000);
    rates.in.push(Math.max(0, sum(m.messagesInByQos) - sum(previous.messagesInByQos)) / seconds);
    rates.out.push(Math.max(0, sum(m.messagesOutByQos) - sum(previous.messagesOutByQos)) / seconds);
    if (rates.in.length > RATE_POINTS) { rates.in.shift(); rates.out.shift(); }
  }
  previous = m;
  document.getElementById('rates').dataset.points = String(rates.in.length);
  drawRates();
}

function drawRates() {
  const canvas = document.getElementById('rates');
  const g = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height, pad = 30;
  g.clearRect(0, 0, w, h);
  const max = Math.max(1, ...rates.in, ...rates.out);
  g.strokeStyle = '#e3e6eb';
  g.fillStyle = '#667';
  g.font = '11px sans-serif';
  for (let i = 0; i <= 4; i++) {
    const y = pad / 2 + (h - pad) * i / 4;
    g.beginPath(); g.moveTo(pad, y); g.lineTo(w, y); g.stroke();
    g.fillText((max * (4 - i) / 4).toFixed(max < 10 ? 1 : 0), 2, y + 4);
  }
  const line = (points, color) => {
    g.strokeStyle = color;
    g.lineWidth = 2;
    g.beginPath();
    points.forEach((v, i) => {
      const x = pad + (w - pad) * i / (RATE_POINTS - 1);
      const y = pad / 2 + (h - pad) * (1 - v / max);
      if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
    });
    g.stroke();
    g.lineWidth = 1;
  };
  line(rates.in, '#2a7ae2');
  line(rates.out, '#e67e22');
}

function renderClients(clients) {
  const body = fill('clients', clients, 9, 'no client connected');
  for (const c of clients) {
    const row = body.insertRow();
    row.dataset.clientId = c.clientId;
    cell(row, c.clientId);
    cell(row, c.remoteAddress);
    cell(row, c.protocolVersion);
    cell(row, c.keepAliveSeconds + ' s', 'num');
    cell(row, expiry(c.sessionExpirySeconds), 'num');
    cell(row, c.inflight, 'num');
    cell(row, c.queued, 'num');
    cell(row, c.subscriptions, 'num');
    button(row, 'Disconnect', 'Close the connection of ' + c.clientId, () =>
      act('disconnect ' + c.clientId, () => api('clients?clientId=' + encodeURIComponent(c.clientId), { method: 'DELETE' })));
  }
}

function renderSessions(sessions) {
  const body = fill('sessions', sessions, 9, 'no session');
  for (const s of sessions) {
    const row = body.insertRow();
    row.dataset.clientId = s.clientId;
    cell(row, s.clientId);
    cell(row, s.connected ? 'online' : 'offline');
    cell(row, s.local ? 'message-driven bean' : (s.persistent ? 'persistent' : 'clean'));
    cell(row, s.protocolVersion);
    cell(row, expiry(s.sessionExpirySeconds), 'num');
    cell(row, s.inflight, 'num');
    cell(row, s.queued, 'num');
    cell(row, s.subscriptions, 'num');
    if (s.local) {
      row.insertCell();
    } else {
      button(row, 'Purge', 'Discard the session of ' + s.clientId + ' with its subscriptions and messages', () => {
        if (confirm('Purge the session of ' + s.clientId + '? Its subscriptions and queued messages are lost.')) {
          act('purge ' + s.clientId, () => api('sessions?clientId=' + encodeURIComponent(s.clientId), { method: 'DELETE' }));
        }
      });
    }
  }
}

function renderSubscriptions(subscriptions) {
  const body = fill('subscriptions', subscriptions, 4, 'no subscription');
  for (const s of subscriptions) {
    const row = body.insertRow();
    cell(row, s.clientId);
    cell(row, s.topicFilter);
    cell(row, s.qos, 'num');
    const options = [];
    if (s.noLocal) options.push('no local');
    if (s.retainAsPublished) options.push('retain as published');
    if (s.retainHandling) options.push('retain handling ' + s.retainHandling);
    if (s.subscriptionIdentifier) options.push('id ' + s.subscriptionIdentifier);
    cell(row, options.join(', '));
  }
}

function renderRetained(messages) {
  const body = fill('retained', messages, 5, 'no retained message matches');
  for (const m of messages) {
    const row = body.insertRow();
    row.dataset.topic = m.topic;
    cell(row, m.topic);
    cell(row, m.qos, 'num');
    cell(row, m.payloadBytes + ' B', 'num');
    cell(row, (m.payloadIsText ? '' : '0x ') + m.payloadPreview, 'payload');
    button(row, 'Delete', 'Delete the retained message of ' + m.topic, () =>
      act('delete retained ' + m.topic, () => api('retained?topic=' + encodeURIComponent(m.topic), { method: 'DELETE' })));
  }
}

async function browseRetained() {
  const filter = document.getElementById('retained-filter').value || '#';
  const limit = document.getElementById('retained-limit').value || '100';
  try {
    renderRetained(await api('retained?filter=' + encodeURIComponent(filter) + '&limit=' + encodeURIComponent(limit)));
  } catch (e) {
    say('retained messages: ' + e.message, true);
  }
}

let refreshing = false;
async function refresh() {
  if (refreshing) return;
  refreshing = true;
  try {
    const [overview, clients, sessions, subscriptions] = await Promise.all(
      [api('overview'), api('clients'), api('sessions'), api('subscriptions')]);
    renderOverview(overview);
    renderClients(clients);
    renderSessions(sessions);
    renderSubscriptions(subscriptions);
    await browseRetained();
    document.body.dataset.loaded = 'true';
  } catch (e) {
    say('cannot read the broker: ' + e.message, true);
  } finally {
    refreshing = false;
  }
}

document.getElementById('retained-form').addEventListener('submit', (e) => { e.preventDefault(); browseRetained(); });
refresh();
setInterval(refresh, REFRESH_MS);
