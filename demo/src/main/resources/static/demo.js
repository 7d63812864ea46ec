// Helpers shared by the demo pages. Plain JavaScript, nothing loaded from the network.
var demo = {
  // ws:// or wss:// URL of a path on this server
  url: function (path) {
    return (window.location.protocol === 'https:' ? 'wss://' : 'ws://') + window.location.host + path;
  },
  // appends a line of text (never HTML) to the element with id `id`
  line: function (id, text) {
    var log = document.getElementById(id);
    var div = document.createElement('div');
    div.className = 'message';
    div.textContent = text;
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }
};
