// Runs graphql-http's serverAudits against a GraphQL endpoint and prints the results as JSON.
// usage: node audit.mjs URL   (AUDIT_TOKEN: a bearer token sent with every request)
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
const token = process.env.AUDIT_TOKEN;
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers || {});
  if (token) headers.set('Authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};
const results = [];
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  results.push({ id: audit.id, name: audit.name, status: result.status, reason: result.reason || null });
}
console.log(JSON.stringify(results));
