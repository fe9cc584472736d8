"""Parse connector output with airbyte-protocol-models, the models CAT uses.

Usage: python parse_messages.py OUTPUT_FILE...

Every line of every file must parse as an AirbyteMessage (CAT silently drops
lines that do not; here a dropped line is a failure). Prints one JSON object
with the message types counted per file. Runs in its own virtualenv because
airbyte-protocol-models needs pydantic 1 and PyAirbyte needs pydantic 2.
"""

import json
import sys
from collections import Counter

from airbyte_protocol.models import AirbyteMessage, Type


def parse_file(path):
    counts = Counter()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                raise SystemExit(f"{path}:{n}: empty line on stdout")
            try:
                msg = AirbyteMessage.parse_raw(line)
            except Exception as e:  # pydantic.ValidationError, json errors
                raise SystemExit(f"{path}:{n}: not an AirbyteMessage: {e}\n{line[:300]}")
            key = msg.type.value
            if msg.type == Type.TRACE:
                key += ":" + msg.trace.type.value
                if msg.trace.stream_status is not None:
                    key += ":" + msg.trace.stream_status.status.value
            if msg.type == Type.STATE:
                if msg.state.type is None or msg.state.type.value != "STREAM":
                    raise SystemExit(f"{path}:{n}: state is not a STREAM state")
                if msg.state.sourceStats is None or msg.state.sourceStats.recordCount is None:
                    raise SystemExit(f"{path}:{n}: state without sourceStats.recordCount")
            if msg.type == Type.CONNECTION_STATUS:
                key += ":" + msg.connectionStatus.status.value
            counts[key] += 1
    return dict(sorted(counts.items()))


def main(paths):
    print(json.dumps({p: parse_file(p) for p in paths}))


if __name__ == "__main__":
    main(sys.argv[1:])
