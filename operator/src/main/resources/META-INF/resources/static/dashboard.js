// Twinbuild dashboard: fetches the live fragment of this page (with the viewer's bearer token, when one
// was given), swaps it in when it changed (ETag), and keeps the viewer's sort and filter across updates.
(function () {
  'use strict';
  var live = document.getElementById('live');
  if (!live) { return; }
  var src = live.dataset.src;
  var every = parseInt(live.dataset.refresh, 10) || 2000;
  var etag = null;
  var sortKey = null, sortDesc = false;
  var TOKEN = 'twinbuild-token';

  function show(id, on) { document.getElementById(id).hidden = !on; }

  function rel(iso) {
    var s = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (isNaN(s)) { return iso; }
    if (s < 0) { s = 0; }
    if (s < 120) { return s + 's ago'; }
    if (s < 7200) { return Math.round(s / 60) + 'm ago'; }
    if (s < 172800) { return Math.round(s / 3600) + 'h ago'; }
    return Math.round(s / 86400) + 'd ago';
  }
  function times() {
    live.querySelectorAll('time[datetime]').forEach(function (t) {
      t.title = t.getAttribute('datetime');
      t.textContent = rel(t.getAttribute('datetime'));
    });
  }

  function cellValue(row, key) {
    var c = row.cells[key];
    return c.dataset.v !== undefined ? c.dataset.v : c.textContent.trim();
  }
  function arrange() {
    var table = document.getElementById('images');
    if (!table) { return; }
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    if (sortKey !== null) {
      rows.sort(function (a, b) {
        var x = cellValue(a, sortKey), y = cellValue(b, sortKey);
        var nx = parseFloat(x), ny = parseFloat(y);
        var r = (!isNaN(nx) && !isNaN(ny) && String(nx) === x && String(ny) === y) ? nx - ny : x.localeCompare(y);
        return sortDesc ? -r : r;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    }
    table.querySelectorAll('th[data-key]').forEach(function (th) {
      th.className = parseInt(th.dataset.key, 10) === sortKey ? (sortDesc ? 'sorted desc' : 'sorted asc') : '';
    });
    var filter = document.getElementById('filter');
    var q = filter ? filter.value.trim().toLowerCase() : '';
    var shown = 0;
    rows.forEach(function (r) {
      var on = !q || r.textContent.toLowerCase().indexOf(q) >= 0;
      r.hidden = !on;
      if (on) { shown++; }
    });
    var count = document.getElementById('shown');
    if (count) { count.textContent = q ? shown + ' of ' + rows.length + ' shown' : ''; }
  }

  document.addEventListener('click', function (e) {
    var th = e.target.closest && e.target.closest('#images th[data-key]');
    if (!th) { return; }
    var key = parseInt(th.dataset.key, 10);
    sortDesc = sortKey === key ? !sortDesc : false;
    sortKey = key;
    arrange();
  });
  var filter = document.getElementById('filter');
  if (filter) { filter.addEventListener('input', arrange); }
  document.getElementById('login-form').addEventListener('submit', function (e) {
    e.preventDefault();
    sessionStorage.setItem(TOKEN, document.getElementById('token').value.trim());
    show('login', false);
    etag = null;
    refresh(false);
  });

  function refresh(again) {
    var headers = {};
    var token = sessionStorage.getItem(TOKEN);
    if (token) { headers.Authorization = 'Bearer ' + token; }
    if (etag) { headers['If-None-Match'] = etag; }
    fetch(src, {headers: headers, cache: 'no-store', credentials: 'same-origin'}).then(function (r) {
      if (r.status === 304) { times(); return null; }
      if (r.status === 401) {
        sessionStorage.removeItem(TOKEN);
        show('login', true);
        return null;
      }
      return r.text().then(function (text) {
        if (!r.ok) { throw new Error(r.status + ': ' + text); }
        etag = r.headers.get('ETag');
        live.innerHTML = text;
        arrange();
        times();
        show('error', false);
        var b = document.body;
        if (!b.dataset.loadedAt) { b.dataset.loadedAt = String(Math.round(performance.now())); }
        b.dataset.updates = String((parseInt(b.dataset.updates, 10) || 0) + 1);
      });
    }).catch(function (err) {
      var el = document.getElementById('error');
      el.textContent = 'Cannot load: ' + err.message;
      show('error', true);
    }).then(function () {
      if (again) { setTimeout(function () { refresh(true); }, every); }
    });
  }
  refresh(true);
})();
