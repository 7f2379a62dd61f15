from django.urls import path

from chat.consumers import ChatConsumer, OperatorDeskConsumer

websocket_urlpatterns = [
    path("ws/chat/<str:number>/", ChatConsumer.as_asgi()),
    path("ws/operator/", OperatorDeskConsumer.as_asgi()),
]
