"""Fink's side of test/e2e/fink-client.test.ts and test/optical/fink-input.test.ts, with the real fink-client and confluent-kafka.

  produce BROKERS TOPIC PARAMS_JSON
      Publishes one Fink-enriched ZTF alert exactly as Fink distributes them
      (fink_utils write_to_kafka): key = the Avro schema's JSON text, value = the record in
      schemaless Avro (fastavro.schemaless_writer). The schema is Fink's ZTF distribution schema
      (../shared/upstream-samples/schemas/fink) with Fink's newer added values appended
      (fink_class, mag_rate, ...); the record is the fink-client sample alert with PARAMS_JSON's
      overrides (times, position) and added values.
  encode PARAMS_JSON
      The same message's key and value (hex) on stdout, without Kafka.
  partitions BROKERS TOPIC KEY ...
      Produces one message per KEY with librdkafka's partitioner=murmur2 (the Java client's
      keyed partitioning) and prints {key: partition}.
  read BROKERS OUTDIR TOPIC[,MATCH_FIELD=VALUE] ...
      For each topic: fink_client.consumer.AlertConsumer (bootstrap.servers and group.id only,
      no schema file, no option) polls until a message whose MATCH_FIELD equals VALUE (or the
      first message) decodes; a second consumer in its own group calls poll_and_write into
      OUTDIR until the same record is written. Prints one JSON object per topic: the decoded
      alert (64-bit integers as strings), the key's schema name and the file written.
"""
import glob
import io
import json
import os
import sys
import time
import uuid

import fastavro

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "upstream-samples")
DISTRIBUTION_SCHEMA = os.path.join(SHARED, "schemas", "fink", "distribution_schema_fink_ztf_2.7_3.10.1.avsc")
SAMPLE_ALERT = os.path.join(SHARED, "ztf-avro", "fink", "fink-broker-sample-alert-1.avro")

# Values Fink adds in its science stream that the 2.7 distribution schema predates.
NEWER_FINK_FIELDS = [
    ("fink_class", "string"),
    ("mag_rate", "double"),
    ("sigma_rate", "double"),
    ("anomaly_score", "double"),
]


def fink_message(params):
    """The (key, value) of one Fink-enriched alert, as fink_utils write_to_kafka makes them."""
    with open(DISTRIBUTION_SCHEMA) as f:
        schema = json.load(f)
    schema["fields"] += [{"name": n, "type": [t, "null"]} for n, t in NEWER_FINK_FIELDS]
    with open(SAMPLE_ALERT, "rb") as f:
        alert = next(fastavro.reader(f))
    alert.update(params["fink"])
    alert["candidate"].update(params["candidate"])
    alert["candid"] = alert["candidate"]["candid"]
    alert["prv_candidates"] = None
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, fastavro.parse_schema(schema), alert)
    return json.dumps(schema).encode(), buffer.getvalue()


def produce(brokers, topic, params):
    from confluent_kafka import Producer

    key, value = fink_message(params)
    producer = Producer({"bootstrap.servers": brokers})
    producer.produce(topic, key=key, value=value)
    if producer.flush(30) != 0:
        raise SystemExit("the Fink alert was not delivered")
    print(json.dumps({"delivered": len(value)}))


def partitions(brokers, topic, keys):
    """The partition librdkafka's Java-compatible murmur2 partitioner gives each key."""
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": brokers, "partitioner": "murmur2"})
    out = {}

    def delivered(err, msg):
        if err is None:
            out[msg.key().decode()] = msg.partition()

    for key in keys:
        producer.produce(topic, key=key.encode(), value=b"", on_delivery=delivered)
    if producer.flush(30) != 0 or len(out) != len(keys):
        raise SystemExit("not every keyed message was delivered")
    print(json.dumps(out))


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) if abs(value) > 2**53 else value
    if isinstance(value, bytes):
        return value.hex()
    return value


def matches(alert, match):
    if match is None:
        return True
    field, value = match
    return alert is not None and str(alert.get(field)) == value


def consumer(brokers, topic):
    from fink_client.consumer import AlertConsumer

    config = {"bootstrap.servers": brokers, "group.id": "fink-client-" + uuid.uuid4().hex}
    return AlertConsumer([topic], config, survey="ztf")


def read(brokers, outdir, specs, timeout_s=120):
    for spec in specs:
        topic, _, match_text = spec.partition(",")
        match = tuple(match_text.split("=", 1)) if match_text else None
        deadline = time.time() + timeout_s
        with consumer(brokers, topic) as polling:
            alert = key = None
            while time.time() < deadline:
                t, alert, key = polling.poll(timeout=1)
                if t is not None and matches(alert, match):
                    break
            else:
                raise SystemExit(f"no matching message on {topic}")
        written = None
        with consumer(brokers, topic) as writing:
            while time.time() < deadline and written is None:
                before = set(glob.glob(os.path.join(outdir, "*.avro")))
                t, again, _ = writing.poll_and_write(outdir, timeout=1, overwrite=True)
                if t is not None and matches(again, match):
                    after = set(glob.glob(os.path.join(outdir, "*.avro")))
                    written = sorted(after - before) or [
                        p for p in after if os.path.basename(p).startswith(str(again["objectId"]))
                    ]
            if written is None:
                raise SystemExit(f"poll_and_write wrote nothing for {topic}")
        with open(written[0], "rb") as f:
            from_file = next(fastavro.reader(f))
        print(
            json.dumps(
                {
                    "topic": topic,
                    "alert": jsonable(alert),
                    "schemaName": json.loads(key)["name"],
                    "file": os.path.basename(written[0]),
                    "fileMatches": jsonable(from_file) == jsonable(alert),
                }
            )
        )


if __name__ == "__main__":
    if sys.argv[1] == "produce":
        produce(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]))
    elif sys.argv[1] == "partitions":
        partitions(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif sys.argv[1] == "encode":
        key, value = fink_message(json.loads(sys.argv[2]))
        print(json.dumps({"key": key.decode(), "value": value.hex()}))
    else:
        read(sys.argv[2], sys.argv[3], sys.argv[4:])
