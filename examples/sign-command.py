#!/usr/bin/env python3
"""Signs a sensegate command and prints the payload to publish (docs/signed-commands.md).

Standard library only. The key file holds the key as hex, as sensegate reads it.

    python3 sign-command.py --key-id ops-anna --key-file ops-anna.key \\
        --topic sensegate/river-3/actuator/pump/set '{"command": "on", "for": "10m", "by": "anna"}' |
      mosquitto_pub -h broker.example -t sensegate/river-3/actuator/pump/set -s
"""
import argparse
import hashlib
import hmac
import json
import secrets
import time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--key-id", required=True)
parser.add_argument("--key-file", required=True)
parser.add_argument("--topic", required=True, help="the command's topic, exactly as published")
parser.add_argument("--ts", type=int, help="signing time in Unix seconds (default: now)")
parser.add_argument("body", help='the command, e.g. \'{"command": "on"}\' or ON')
args = parser.parse_args()

key = bytes.fromhex(open(args.key_file).read().strip())
ts = args.ts if args.ts is not None else int(time.time())
nonce = secrets.token_hex(16)  # new for every command: the gateway refuses a nonce it has seen
signed = "\n".join(["sensegate-command-v1", args.key_id, args.topic, str(ts), nonce, args.body])
sig = hmac.new(key, signed.encode(), hashlib.sha256).hexdigest()
print(json.dumps({"key": args.key_id, "ts": ts, "nonce": nonce, "body": args.body, "sig": sig}))
