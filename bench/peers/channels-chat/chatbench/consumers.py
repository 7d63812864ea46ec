"""The tutorial's chat consumer with the JSON shape of loomsocket's chat.

Client to server: {"type": "message", "text": "..."}; server to every member of the room, the
sender included: {"type": "message", "user": "...", "text": "...", "ts": <epoch ms>}.
"""
import json
import time

from channels.generic.websocket import AsyncWebsocketConsumer


class ChatConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.room = self.scope["url_route"]["kwargs"]["room"]
        self.group = "chat_" + self.room
        query = self.scope.get("query_string", b"").decode()
        self.user = dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("user", "anonymous")
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        try:
            data = json.loads(text_data or "")
        except ValueError:
            await self.close(code=1007)
            return
        if data.get("type") != "message" or not isinstance(data.get("text"), str):
            return
        await self.channel_layer.group_send(self.group, {
            "type": "chat.message",
            "user": self.user,
            "text": data["text"],
            "ts": int(time.time() * 1000),
        })

    async def chat_message(self, event):
        await self.send(text_data=json.dumps({
            "type": "message", "user": event["user"], "text": event["text"], "ts": event["ts"],
        }))
