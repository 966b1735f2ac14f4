// The thidua playground: GraphiQL against this server's /graphql, with a
// header editor for `Authorization: Bearer <token>`.
(function () {
  var defaultQuery = [
    '# thidua: thi đua, khen thưởng of the northern border cluster.',
    '# Anonymous callers read published records. To edit, put',
    '#   {"Authorization": "Bearer <token>"}',
    '# in Headers below. A development token:',
    '#   go run . token -sub me -role lang-son=editor',
    '',
    'query Review2022 {',
    '  me { subject name roles { scope role } }',
    '  periodReviews(filter: { year: 2022 }, first: 5) {',
    '    totalCount',
    '    edges {',
    '      node {',
    '        kind year period date location theme',
    '        hostProvince { id name }',
    '        movements { title scope }',
    '        summary {',
    '          indicator { id name unit aggregation }',
    '          reported { qualifier note figure { text } }',
    '          derived { text }',
    '          provincesReported',
    '        }',
    '        reportedAwardTallies { authorities count note }',
    '      }',
    '    }',
    '  }',
    '}',
    ''
  ].join('\n');
  var url = new URL('/graphql', window.location.href);
  // Subscriptions go over WebSocket (graphql-transport-ws) on the same path;
  // GraphiQL's bundled graphql-ws client puts the Headers editor's values
  // (Authorization) in connection_init's payload.
  var wsUrl = (url.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + url.host + url.pathname;
  var inner = GraphiQL.createFetcher({ url: url.toString(), subscriptionUrl: wsUrl });
  // Run whatever the editor holds: GraphiQL can keep the name of an
  // operation that is no longer in the editor (it stores it, and keeps it
  // when the query is replaced), and the server answers "operation … not
  // found". A name the document does not define is dropped.
  function definedNames(params, opts) {
    var doc = opts && opts.documentAST;
    if (doc && doc.definitions) {
      return doc.definitions.filter(function (d) { return d.kind === 'OperationDefinition'; })
        .map(function (d) { return d.name ? d.name.value : null; });
    }
    var names = [];
    var re = /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/g;
    var m;
    while ((m = re.exec(params.query || '')) !== null) { names.push(m[1]); }
    return names;
  }
  var fetcher = function (params, opts) {
    if (params && params.operationName && definedNames(params, opts).indexOf(params.operationName) < 0) {
      params = Object.assign({}, params);
      delete params.operationName;
    }
    return inner(params, opts);
  };
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: defaultQuery,
    defaultEditorToolsVisibility: 'headers',
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true
  }));
})();

// Who am I: a badge that shows the caller the Headers editor's token makes,
// asked of the server with `me` whenever the headers change.
(function () {
  var badge = document.createElement('div');
  badge.id = 'thidua-me';
  badge.textContent = 'Anonymous';
  document.body.appendChild(badge);
  var last = null;
  function headers() {
    try {
      var raw = window.localStorage.getItem('graphiql:headers') || '{}';
      var h = JSON.parse(raw);
      return (h && typeof h === 'object') ? h : {};
    } catch (e) { return {}; }
  }
  function show(text, cls) { badge.textContent = text; badge.className = cls || ''; }
  function check() {
    var h = headers();
    var key = JSON.stringify(h);
    if (key === last) { return; }
    last = key;
    var send = { 'Content-Type': 'application/json' };
    Object.keys(h).forEach(function (k) { send[k] = String(h[k]); });
    fetch('/graphql', { method: 'POST', headers: send,
      body: JSON.stringify({ query: '{ me { subject name roles { scope role } } }' }) })
      .then(function (res) { return res.json().then(function (body) { return { status: res.status, body: body }; }); })
      .then(function (r) {
        if (r.status === 401) { show('Token refused (401)', 'bad'); return; }
        var me = r.body && r.body.data && r.body.data.me;
        if (!me) { show('Anonymous: published records only'); return; }
        var roles = me.roles.map(function (g) { return g.scope + ': ' + g.role.toLowerCase(); }).join(', ');
        show((me.name || me.subject) + ' (' + me.subject + ') — ' + (roles || 'no roles'), 'ok');
      })
      .catch(function () { show('Server unreachable', 'bad'); });
  }
  check();
  window.setInterval(check, 1500);
})();
