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
  var fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', window.location.href).toString() });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: defaultQuery,
    defaultEditorToolsVisibility: 'headers',
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true
  }));
})();
