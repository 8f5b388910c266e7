"""The web player's day through Debian's nginx with HTTPS (deploy/nginx/medley.conf, a
self-signed certificate): plain HTTP is sent to HTTPS, the player's page opens, the player
signs in with PKCE and comes back to the address it was opened at, a track plays (its media URL
is the public HTTPS one, read in a range), and the live notification stream, open through the
proxy, hears of it at once. Environment: PROXY_URL (https://localhost:PORT, Medley's public
URL), PROXY_HTTP_URL (nginx's plain HTTP), PROXY_CA (the certificate), LOGIN and PASSWORD."""

import base64
import hashlib
import html.parser
import os
import secrets
import sys
import threading
import time
import urllib.parse

import requests

URL = os.environ["PROXY_URL"]
PLAIN = os.environ["PROXY_HTTP_URL"]
CA = os.environ["PROXY_CA"]
LOGIN = os.environ["LOGIN"]
PASSWORD = os.environ["PASSWORD"]
PLAYER = "amzn1.application-oa2-client.medleyplayer"
TRACK = "mrn:1.0:catalog:track:asin:B084KVZP2G"
ALBUM = "mrn:1.0:catalog:album:asin:B084KYMDXT"


def check(what, ok, detail=""):
    if not ok:
        sys.exit(f"proxy flow: {what} failed {detail}")
    print(f"ok: {what}")


class Form(html.parser.HTMLParser):
    """The fields of the page's form (hidden ones included)."""

    def __init__(self):
        super().__init__()
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            self.fields[a["name"]] = a.get("value", "")


browser = requests.Session()
# Only the test's certificate is trusted (REQUESTS_CA_BUNDLE and proxies in the environment
# would otherwise win over the session's own setting).
browser.trust_env = False
browser.verify = CA

r = requests.get(PLAIN + "/account", allow_redirects=False, timeout=10)
check("plain HTTP is sent to HTTPS", r.status_code in (301, 308)
      and r.headers.get("Location") == "https://127.0.0.1/account", r.headers)

page = browser.get(URL + "/", timeout=10)
check("the player's page opens over HTTPS", page.status_code == 200 and "<script" in page.text, page.status_code)

# Sign in as the web player does: PKCE, back to its page at the address it was opened at.
verifier = secrets.token_urlsafe(48)
challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
redirect = URL + "/"
sign_in = browser.get(URL + "/ap/oa", params={
    "client_id": PLAYER, "redirect_uri": redirect, "response_type": "code",
    "scope": "music::catalog music::playback music::profile", "state": "through-nginx",
    "code_challenge": challenge, "code_challenge_method": "S256",
}, timeout=10)
check("the sign-in page opens through the proxy", sign_in.status_code == 200, sign_in.text[:300])
form = Form()
form.feed(sign_in.text)
fields = dict(form.fields, login=LOGIN, password=PASSWORD, decision="allow")
back = browser.post(URL + "/ap/oa", data=fields, allow_redirects=False, timeout=10)
location = back.headers.get("Location", "")
check("signing in comes back to the page at the proxy's address", back.status_code == 303
      and location.startswith(redirect + "?"), f"{back.status_code} {location} {back.text[:300]}")
code = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)["code"][0]
tokens = browser.post(URL + "/auth/o2/token", data={
    "grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
    "client_id": PLAYER, "code_verifier": verifier,
}, timeout=10).json()
check("the code buys tokens, a refresh token too", tokens.get("access_token", "").startswith("Atza|")
      and tokens.get("refresh_token", "").startswith("Atzr|"), tokens)
renewed = browser.post(URL + "/auth/o2/token", data={
    "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": PLAYER,
}, timeout=10).json()
check("the refresh token turns over through the proxy", renewed.get("refresh_token") not in (None, tokens["refresh_token"]), renewed)
headers = {
    "authorization": f"Bearer {renewed['access_token']}",
    "x-api-key": PLAYER,
    "x-amzn-device-id": "through-nginx",
    # A file rather than a DASH manifest, as the player asks where the browser plays no DASH.
    "x-medley-protocol": "PROGRESSIVE",
}

# The live stream, open before anything plays, sees each notice as it happens.
heard = []
opened = threading.Event()


def listen():
    with requests.get(URL + "/v1/playback/notifications", headers=headers, verify=CA,
                      stream=True, timeout=(10, 60)) as stream:
        opened.set()
        for line in stream.iter_lines():
            if line.startswith(b"event:"):
                heard.append((time.monotonic(), line.decode()))
                return


threading.Thread(target=listen, daemon=True).start()
check("the notification stream opens through the proxy", opened.wait(10))
time.sleep(0.5)

started = time.monotonic()
session = browser.post(URL + "/v1/playback/sessions", headers=headers, json={
    "playParams": {"id": TRACK, "containerIds": [ALBUM]}, "limit": 2,
}, timeout=10)
check("a playback session starts", session.status_code in (200, 201), session.text[:300])
media = session.json()["data"]["entities"][0]["track"]["playbackInformation"]["url"]
check("the media URL is the public HTTPS one", media.startswith(URL + "/media/"), media)
audio = browser.get(media, headers={"Range": "bytes=0-1023"}, timeout=10)
check("the track's first kilobyte comes through the proxy", audio.status_code == 206
      and len(audio.content) == 1024, f"{audio.status_code} {len(audio.content)}")

deadline = time.monotonic() + 5
while not heard and time.monotonic() < deadline:
    time.sleep(0.05)
check("the live stream hears of the new session within moments, unbuffered", heard
      and heard[0][0] - started < 3, heard)
