// The baseline for bench/intake: a bare Express 5 route that accepts the same body and answers 202.
import express from 'express';

const app = express();
app.post('/webhooks/vipps', express.raw({ type: () => true, limit: '64kb' }), (_req, res) => {
  res.status(202).json({ status: 'accepted' });
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
