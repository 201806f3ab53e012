#!/usr/bin/env python3
"""zeep doing the Retrieve paging loop a Python integration writes, for bench/retrieve.sh.

Usage:  zeep_retrieve.py BASE_URL OBJECT_TYPE PROPS [LIMIT]

  BASE_URL     a sandbox on loopback (http://127.0.0.1:PORT): token from BASE_URL/v2/token with the
               demo client, SOAP at BASE_URL/Service.asmx.
  OBJECT_TYPE  e.g. SentEvent; PROPS comma-separated property names.

Loads the vendor WSDL with ../shared/peers/zeep/offline.py (PARTNERAPI_WSDL picks the copy),
retrieves page after page (MoreDataAvailable -> RetrieveRequest with ContinueRequest), touches
every property of every row (as an application would), and prints one JSON line: rows, pages,
seconds, rows_per_s, peak_rss_kib.
"""
import json
import os
import resource
import sys
import time
import urllib.request

PEERS = os.environ.get(
    "PEERS_DIR",
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "peers"),
)
sys.path.insert(0, os.path.join(PEERS, "zeep"))
from lxml import etree  # noqa: E402

from offline import PARTNER_NS, OfflineTransport, is_loopback_url, make_client  # noqa: E402


def token(base):
    body = json.dumps(
        {
            "grant_type": "client_credentials",
            "client_id": os.environ.get("SFMC_CLIENT_ID", "demo-client-id"),
            "client_secret": os.environ.get("SFMC_CLIENT_SECRET", "demo-client-secret"),
        }
    ).encode()
    req = urllib.request.Request(
        base + "/v2/token", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.load(resp)["access_token"]


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    base, object_type, props = argv[0].rstrip("/"), argv[1], argv[2].split(",")
    limit = int(argv[3]) if len(argv) == 4 else None
    url = base + "/Service.asmx"
    if not is_loopback_url(url):
        print("refusing a non-loopback URL", file=sys.stderr)
        return 2
    header = etree.Element("{http://exacttarget.com}fueloauth", nsmap={None: "http://exacttarget.com"})
    header.text = token(base)
    client = make_client(transport=OfflineTransport(timeout=30, operation_timeout=120))
    service = client.create_service("{%s}SoapBinding" % PARTNER_NS, url)
    RetrieveRequest = client.get_type("ns0:RetrieveRequest")

    started = time.perf_counter()
    rows = pages = checksum = 0
    request = RetrieveRequest(ObjectType=object_type, Properties=props)
    while True:
        resp = service.Retrieve(RetrieveRequest=request, _soapheaders=[header])
        pages += 1
        for obj in resp.Results or []:
            rows += 1
            for p in props:
                value = getattr(obj, p, None)
                checksum += len(str(value)) if value is not None else 0
        if resp.OverallStatus != "MoreDataAvailable" or (limit and rows >= limit):
            if resp.OverallStatus not in ("OK", "MoreDataAvailable"):
                print("OverallStatus: %s" % resp.OverallStatus, file=sys.stderr)
                return 1
            break
        # The schema requires ObjectType beside ContinueRequest (zeep validates it).
        request = RetrieveRequest(ObjectType=object_type, ContinueRequest=resp.RequestID)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "peer": "zeep",
                "object_type": object_type,
                "rows": rows,
                "pages": pages,
                "seconds": round(seconds, 3),
                "rows_per_s": round(rows / seconds, 1) if seconds > 0 else None,
                "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "checksum": checksum,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
