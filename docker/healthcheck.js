// The images' health check (Dockerfile HEALTHCHECK, docker-compose.yml): the process's readiness
// on its own public port, i.e. it answers and its database does. Exit 0 healthy, 1 not.
const port = process.env.TESSERA_PORT || '3000';
fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2500) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
