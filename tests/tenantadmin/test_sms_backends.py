"""SMS backends: files, memory, and a real HTTP gateway on loopback."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tenantadmin import sms


def test_file_backend_writes_one_json_file_per_message(settings, tmp_path):
    settings.SMS_BACKEND = "tenantadmin.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    sms.send_sms("+31 6 1234 5678", "Your code is 123456")
    files = list((tmp_path / "sms").iterdir())
    assert len(files) == 1
    assert json.loads(files[0].read_text()) == {"to": "+31 6 1234 5678", "body": "Your code is 123456"}


def test_locmem_backend_collects_messages(settings):
    settings.SMS_BACKEND = "tenantadmin.sms.LocmemBackend"
    sms.outbox.clear()
    sms.send_sms("+1 425 555 0123", "hello")
    assert sms.outbox == [sms.TextMessage("+1 425 555 0123", "hello")]


class _Gateway(BaseHTTPRequestHandler):
    received: list = []
    status = 202

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers["Authorization"], json.loads(body)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    _Gateway.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def test_http_backend_posts_to_the_gateway(settings, gateway):
    settings.SMS_BACKEND = "tenantadmin.sms.HttpBackend"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{gateway.server_port}/send"
    settings.SMS_HTTP_TOKEN = "gateway-token"
    _Gateway.status = 202
    sms.send_sms("+44 20 1111", "Your code is 654321")
    assert _Gateway.received == [("Bearer gateway-token", {"to": "+44 20 1111", "body": "Your code is 654321"})]


def test_http_backend_reports_a_refusing_gateway(settings, gateway):
    settings.SMS_BACKEND = "tenantadmin.sms.HttpBackend"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{gateway.server_port}/send"
    _Gateway.status = 500
    with pytest.raises(sms.SmsError):
        sms.send_sms("+44 20 1111", "x")
