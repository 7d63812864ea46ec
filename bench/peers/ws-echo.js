// Node's `ws` echo server with its defaults (no permessage-deflate unless --deflate).
// Run by bench/run.sh: node bench/peers/ws-echo.js --port N [--deflate]
'use strict';
const path = require('path');
const { WebSocketServer } = require(path.join(__dirname, '..', '..', 'build', 'node_modules', 'ws'));

const args = process.argv.slice(2);
let port = 8080;
let deflate = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--port') port = Number(args[++i]);
  else if (args[i] === '--deflate') deflate = true;
  else { console.error(`ws-echo: unknown argument ${args[i]}`); process.exit(2); }
}
const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/echo', perMessageDeflate: deflate });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});
wss.on('listening', () => console.log(`LISTENING ws${deflate ? '-deflate' : ''} 127.0.0.1:${port} pid ${process.pid}`));
wss.on('error', (e) => { console.error(`ws-echo: ${e.message}`); process.exit(1); });
