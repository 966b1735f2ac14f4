// Runs graphql-http's auditServer against a running thidua and prints each
// result; exits 1 if any MUST fails. Usage: node audit.mjs http://127.0.0.1:8080/graphql
import { auditServer } from 'graphql-http';

const url = process.argv[2];
// Wait until the service is ready (at most 60 s).
for (let i = 0; ; i++) {
  try {
    const res = await fetch(new URL('/readyz', url));
    if (res.ok) break;
  } catch {}
  if (i > 120) { console.error('the service is not ready'); process.exit(1); }
  await new Promise((r) => setTimeout(r, 500));
}
const results = await auditServer({ url });
let failedMust = 0;
const counts = {};
for (const r of results) {
  const level = r.name.split(' ')[0]; // MUST, SHOULD or MAY
  counts[`${level} ${r.status}`] = (counts[`${level} ${r.status}`] || 0) + 1;
  if (r.status !== 'ok') {
    console.log(`${r.status.toUpperCase()} ${r.name}${r.reason ? ': ' + r.reason : ''}`);
    if (r.status === 'error' && level === 'MUST') failedMust++;
  }
}
console.log(Object.entries(counts).sort().map(([k, v]) => `${k}: ${v}`).join(', '));
console.log(`${results.length - failedMust} passed, ${failedMust} failed`.replace(/^/, 'graphql-http audit: '));
process.exit(failedMust > 0 ? 1 : 0);
