"""A standard OAuth client (requests-oauthlib over oauthlib, from PyPI) signs in to a live
Medley: the authorization code flow with PKCE (S256) as a public client, then code-based
linking with oauthlib's RFC 8628 device client. The script plays the user's browser on the
sign-in pages. Environment: MEDLEY_URL, OAUTH_CLIENT_ID (a public client registered with
OAUTH_REDIRECT_URI), OAUTH_LOGIN and OAUTH_PASSWORD (the demo user's)."""

import html.parser
import os
import sys
import time

import requests
from oauthlib.oauth2 import DeviceClient
from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from requests_oauthlib import OAuth2Session

# The server is on loopback, over http.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

BASE = os.environ["MEDLEY_URL"]
CLIENT_ID = os.environ["OAUTH_CLIENT_ID"]
REDIRECT_URI = os.environ["OAUTH_REDIRECT_URI"]
LOGIN = os.environ["OAUTH_LOGIN"]
PASSWORD = os.environ["OAUTH_PASSWORD"]
SCOPES = ["music::playback", "music::catalog", "music::profile"]


class Form(html.parser.HTMLParser):
    """The fields of the page's form (hidden ones included) and its action."""

    def __init__(self):
        super().__init__()
        self.fields, self.action = {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.action = a.get("action")
        if tag == "input" and a.get("name"):
            self.fields[a["name"]] = a.get("value", "")


def form_of(page):
    f = Form()
    f.feed(page.text)
    assert f.action, page.text
    return f


def check(what, ok, detail=""):
    if not ok:
        sys.exit(f"oauth flow: {what} failed {detail}")
    print(f"ok: {what}")


def me(token):
    r = requests.get(
        f"{BASE}/v1/me",
        headers={"Authorization": f"Bearer {token}", "x-api-key": CLIENT_ID},
        timeout=10,
    )
    return r.status_code, r.json()


def authorization_code_with_pkce():
    oauth = OAuth2Session(CLIENT_ID, redirect_uri=REDIRECT_URI, scope=SCOPES, pkce="S256")
    url, state = oauth.authorization_url(f"{BASE}/ap/oa")
    browser = requests.Session()
    page = browser.get(url, timeout=10)
    check("the sign-in page opens", page.status_code == 200, page.text[:200])
    form = form_of(page)
    fields = dict(form.fields, login=LOGIN, password=PASSWORD, decision="allow")
    back = browser.post(BASE + form.action, data=fields, allow_redirects=False, timeout=10)
    location = back.headers.get("Location", "")
    check("sign-in sends the browser back with a code", back.status_code == 303 and location.startswith(REDIRECT_URI), location)
    token = oauth.fetch_token(
        f"{BASE}/auth/o2/token", authorization_response=location, include_client_id=True
    )
    check("the state came back", f"state={state}" in location)
    check("the code is exchanged with the PKCE verifier", token["access_token"].startswith("Atza|"), token)
    check("a public client gets a refresh token", token.get("refresh_token", "").startswith("Atzr|"), token)
    status, body = me(token["access_token"])
    check("the access token works", status == 200 and body["data"]["user"]["name"] == LOGIN, body)
    first = token["refresh_token"]
    renewed = oauth.refresh_token(f"{BASE}/auth/o2/token", client_id=CLIENT_ID, include_client_id=True)
    check("a refresh answers a new access token and a new refresh token",
          renewed["access_token"] != token["access_token"] and renewed["refresh_token"] not in ("", first), renewed)
    status, _ = me(renewed["access_token"])
    check("the renewed access token works", status == 200)
    # Signing out: RFC 7009 revocation ends the link.
    r = requests.post(f"{BASE}/auth/o2/revoke", data={"token": renewed["refresh_token"], "client_id": CLIENT_ID}, timeout=10)
    check("revoking the refresh token is answered 200", r.status_code == 200, r.text)
    status, _ = me(renewed["access_token"])
    check("and its access token stops working", status == 401)


def code_based_linking():
    r = requests.post(
        f"{BASE}/auth/o2/create/codepair",
        data={"response_type": "device_code", "client_id": CLIENT_ID, "scope": " ".join(SCOPES)},
        timeout=10,
    )
    check("the device gets a code pair", r.status_code == 200, r.text)
    pair = r.json()
    device = OAuth2Session(client=DeviceClient(CLIENT_ID))

    def poll():
        return device.fetch_token(
            f"{BASE}/auth/o2/token", device_code=pair["device_code"], include_client_id=True
        )

    try:
        poll()
        check("a poll before the user is pending", False)
    except OAuth2Error as e:
        check("a poll before the user is pending", e.error == "authorization_pending", e.error)

    # The user, on another device, opens the verification page and enters the code.
    browser = requests.Session()
    page = browser.get(pair["verification_uri"], timeout=10)
    form = form_of(page)
    page = browser.post(BASE + form.action, data=dict(form.fields, user_code=pair["user_code"]), timeout=10)
    check("the code shows what the device asks for", page.status_code == 200 and "Sign in" in page.text, page.text[:300])
    form = form_of(page)
    fields = dict(form.fields, login=LOGIN, password=PASSWORD, decision="allow")
    page = browser.post(BASE + form.action, data=fields, timeout=10)
    check("the user links the device", "Device linked" in page.text, page.text[:300])

    time.sleep(pair["interval"])
    token = poll()
    check("the device's next poll gets tokens", token["access_token"].startswith("Atza|"), token)
    check("a device gets a refresh token", token.get("refresh_token", "").startswith("Atzr|"), token)
    status, _ = me(token["access_token"])
    check("the device's token works", status == 200)


authorization_code_with_pkce()
code_based_linking()
print("oauth flow: every check passed")
