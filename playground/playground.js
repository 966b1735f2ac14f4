// The thidua playground: GraphiQL against this server's /graphql, with a
// header editor for `Authorization: Bearer <token>`.
(function () {
  // operations lists the operations a GraphQL document defines, in order:
  // each one's kind (query, mutation, subscription) and name (null when
  // anonymous). It reads the top level only (skipping comments, strings,
  // arguments and selection sets), so it needs no parser.
  function operations(text) {
    var ops = [];
    var depth = 0, parens = 0, i = 0, n = text.length;
    var pending = null; // the keyword of a definition whose body is next
    var wantName = false;
    while (i < n) {
      var c = text[i];
      if (c === '#') {
        while (i < n && text[i] !== '\n' && text[i] !== '\r') { i++; }
      } else if (c === '"') {
        if (text.substr(i, 3) === '"""') {
          var end = text.indexOf('"""', i + 3);
          while (end > 0 && text[end - 1] === '\\') { end = text.indexOf('"""', end + 3); }
          i = end < 0 ? n : end + 3;
        } else {
          i++;
          while (i < n && text[i] !== '"' && text[i] !== '\n') { i += text[i] === '\\' ? 2 : 1; }
          i++;
        }
      } else if (c === '{') {
        if (depth === 0 && parens === 0) {
          if (pending === null) { ops.push({ kind: 'query', name: null }); } // the shorthand query
          pending = null;
          wantName = false;
        }
        depth++;
        i++;
      } else if (c === '}') {
        depth = Math.max(0, depth - 1);
        i++;
      } else if (c === '(') {
        parens++;
        wantName = false;
        i++;
      } else if (c === ')') {
        parens = Math.max(0, parens - 1);
        i++;
      } else if (/[_A-Za-z]/.test(c)) {
        var j = i + 1;
        while (j < n && /[_0-9A-Za-z]/.test(text[j])) { j++; }
        var word = text.slice(i, j);
        if (depth === 0 && parens === 0 && text[i - 1] !== '@' && text[i - 1] !== '$') {
          if (wantName) {
            if (pending !== 'fragment') { ops[ops.length - 1].name = word; }
            wantName = false;
          } else if (pending === null && (word === 'query' || word === 'mutation' || word === 'subscription')) {
            pending = word;
            ops.push({ kind: word, name: null });
            wantName = true;
          } else if (pending === null && word === 'fragment') {
            pending = 'fragment';
            wantName = true;
          }
        }
        i = j;
      } else {
        if (c === '@') { wantName = false; }
        i++;
      }
    }
    return ops;
  }
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
  // Run exactly what the editor holds. GraphiQL sends the operation name
  // (and document) it parsed last, 100 ms after the last edit, and keeps a
  // stored name across visits: text replaced and run at once went out with
  // the old name ("operation Review2022 not found"). The name is taken from
  // the text sent instead: its only operation's, or, among several, the one
  // GraphiQL chose if the text defines it (otherwise none, and the server
  // asks for one).
  var fetcher = function (params, opts) {
    if (params && typeof params.query === 'string') {
      var ops = operations(params.query);
      var names = ops.map(function (o) { return o.name; });
      params = Object.assign({}, params);
      if (ops.length === 1 && ops[0].name) {
        params.operationName = ops[0].name;
      } else if (ops.length === 1 || names.indexOf(params.operationName) < 0) {
        delete params.operationName;
      }
      // GraphiQL's fetcher sends a subscription over WebSocket when the
      // document it is given says so: give it this text's operations, not
      // the document parsed before the last edit.
      opts = Object.assign({}, opts, { documentAST: { kind: 'Document', definitions: ops.map(function (o) {
        return { kind: 'OperationDefinition', operation: o.kind, name: o.name ? { kind: 'Name', value: o.name } : undefined };
      }) } });
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
