// Interop peer: Node's ws echo server for the loomsocket client.
// Usage: node node_echo_server.js deflate|none MAX_SIZE   (NODE_PATH must hold ws)
// Binds 127.0.0.1 on a free port, prints "LISTENING <port>". Echoes every message, text as text and
// binary as binary; "close CODE REASON" makes it close with that code and reason; "ping PAYLOAD" makes
// it ping and, once the pong came, send "pong PAYLOAD"; "frag" makes it send a fragmented text message
// "frag-ment-ed ✓" in three frames. Exits when stdin closes, or after 10 minutes at most.
'use strict';
const WebSocket = require('ws');
const [compression, maxSizeArg] = process.argv.slice(2);
const wss = new WebSocket.Server({ host: '127.0.0.1', port: 0, perMessageDeflate: compression === 'deflate',
  maxPayload: parseInt(maxSizeArg, 10) });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? null : data.toString('utf8');
    if (text !== null && text.startsWith('close ')) {
      const [, code, ...reason] = text.split(' ');
      ws.close(parseInt(code, 10), reason.join(' '));
    } else if (text !== null && text.startsWith('ping ')) {
      ws.once('pong', (p) => ws.send('pong ' + p.toString('utf8')));
      ws.ping(Buffer.from(text.substring(5), 'utf8'));
    } else if (text === 'frag') {
      const b = Buffer.from('frag-ment-ed ✓', 'utf8');
      ws.send(b.subarray(0, 5), { binary: false, fin: false });
      ws.send(b.subarray(5, 14), { binary: false, fin: false });  // splits the 3-byte character
      ws.send(b.subarray(14), { binary: false, fin: true });
    } else {
      ws.send(data, { binary: isBinary });
    }
  });
  ws.on('error', () => {});
});
wss.on('listening', () => console.log('LISTENING ' + wss.address().port));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), 600000).unref();
