"""A client generated from a live Medley's /openapi.json by openapi-python-client drives the
server through what a device does: create a session, report a start, read what comes next,
queue a track, shuffle, find the play in the listening history and search the catalog, with
the client's own types; and reads a refusal as the document's Error.

Environment: MEDLEY_URL, MEDLEY_KEY, MEDLEY_TOKEN (the demo's credentials), OUT (a folder for
the generated client).
"""

import importlib
import os
import subprocess
import sys
import time
from pathlib import Path

URL = os.environ["MEDLEY_URL"]
OUT = Path(os.environ["OUT"])
DEVICE = "generated-client"
TRACK = "mrn:1.0:catalog:track:asin:B084KVZP2G"
ALBUM = "mrn:1.0:catalog:album:asin:B084KYMDXT"
QUEUED = "B0BS2S4WXN"


def check(ok, what, seen=None):
    if not ok:
        sys.exit(f"FAILED: {what}: {seen!r}")
    print(f"ok: {what}")


def generate():
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--url",
            f"{URL}/openapi.json",
            "--meta",
            "none",
            "--output-path",
            str(OUT / "medley_client"),
            "--overwrite",
        ],
        check=True,
        env=env,
    )
    sys.path.insert(0, str(OUT))
    return importlib.import_module("medley_client")


def main():
    medley_client = generate()
    from medley_client.api.playback import (
        playback_create,
        playback_event,
        playback_next,
        playback_queue_next,
        playback_set_shuffle,
    )
    from medley_client.api.player import player_recently_played
    from medley_client.api.search import search_tracks
    from medley_client.models import (
        CreateSession,
        Enqueue,
        EnqueueParams,
        Error,
        Event,
        EventType,
        PlayParams,
        ReportEvent,
        SearchBody,
        SearchBodySearchFiltersItem,
        SetShuffle,
        ShuffleMode,
        Track,
    )

    client = medley_client.AuthenticatedClient(
        base_url=URL,
        token=os.environ["MEDLEY_TOKEN"],
        headers={"x-api-key": os.environ["MEDLEY_KEY"]},
    )

    created = playback_create.sync_detailed(
        client=client,
        body=CreateSession(play_params=PlayParams(id=TRACK, container_ids=[ALBUM]), limit=3),
        x_amzn_device_id=DEVICE,
    )
    check(created.status_code == 200, "create session", created.content)
    page = created.parsed.data
    first = page.entities[0]
    check(first.track.id == "B084KVZP2G", "the session starts at the track asked for", first.track.id)
    check(first.track.playback_information.url.startswith(URL), "a signed media URL", first.track)
    session = first.session_id

    started = playback_event.sync_detailed(
        client=client,
        body=ReportEvent(
            metric_id=first.metric_id,
            event=Event(
                type_=EventType.START,
                client_timestamp_in_milliseconds=int(time.time() * 1000),
                initial_playback_delay_milliseconds=12,
                device_timezone="+01:00",
                playback_current_speed=1.0,
                playback_start_absolute_offset_milliseconds=0,
            ),
        ),
        x_amzn_device_id=DEVICE,
    )
    check(started.status_code == 201, "report a start event", started.content)

    after = playback_next.sync_detailed(session, client=client, limit=2, x_amzn_device_id=DEVICE)
    check(after.status_code == 200, "get next tracks", after.content)
    upcoming = [e.track.id for e in after.parsed.data.entities]
    check(len(upcoming) == 2 and first.track.id not in upcoming, "the next tracks follow", upcoming)

    queued = playback_queue_next.sync_detailed(
        session,
        client=client,
        body=Enqueue(play_params=EnqueueParams(id=f"mrn:1.0:catalog:track:asin:{QUEUED}")),
    )
    check(queued.status_code == 201, "queue a track next", queued.content)
    after = playback_next.sync_detailed(session, client=client, limit=1, x_amzn_device_id=DEVICE)
    check(after.parsed.data.entities[0].track.id == QUEUED, "the queued track is next", after.content)

    shuffled = playback_set_shuffle.sync_detailed(
        session, client=client, body=SetShuffle(shuffle_mode=ShuffleMode.SHUFFLE_ON)
    )
    check(shuffled.status_code == 200, "shuffle", shuffled.content)
    check(shuffled.parsed.data.metadata.shuffle_mode == "SHUFFLE_ON", "shuffle is on", shuffled.content)

    history = player_recently_played.sync_detailed(client=client, limit=5)
    check(history.status_code == 200, "recently played", history.content)
    plays = [e.node.id for e in history.parsed.data.user.recent_track_playback.edges]
    check(plays[:1] == [first.track.id], "the started track was played last", plays)

    found = search_tracks.sync_detailed(
        client=client,
        body=SearchBody(search_filters=[SearchBodySearchFiltersItem(query="adults talking")], limit=5),
    )
    check(found.status_code == 200, "search tracks", found.content)
    hits = found.parsed.data.search_tracks.edges
    check(
        hits and isinstance(hits[0].node, Track) and hits[0].node.id == "B084KVZP2G",
        "the search finds the track, typed as a Track",
        [h.node for h in hits],
    )

    refused = playback_create.sync_detailed(
        client=client,
        body=CreateSession(play_params=PlayParams(id="mrn:1.0:catalog:track:asin:no such")),
        x_amzn_device_id=DEVICE,
    )
    check(refused.status_code == 400, "a bad MRN is refused", refused.content)
    check(
        isinstance(refused.parsed, Error) and refused.parsed.code == "BAD_REQUEST",
        "the refusal reads as the document's Error",
        refused.content,
    )
    check("playParams.id" in refused.parsed.message, "and names the field", refused.parsed.message)
    print("client flow: every check passed")


if __name__ == "__main__":
    main()
