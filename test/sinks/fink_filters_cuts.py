"""fink-filters' multi-messenger tier cuts (fink_filters filter_mm_module: generic_bronze_filter,
grb_gold_events' extra cuts) evaluated with pandas on coincide's tier records, by column name.

stdin: {"key": <schema JSON text>, "values": [<hex of each record's Avro value>]}, as on the topic.
stdout: one JSON object per record: grb_bronze, gw_bronze, gold_cuts (booleans).
"""
import io
import json
import sys

import fastavro
import pandas as pd

# fink-utils return_list_of_eg_host() (SIMBAD extragalactic hosts, with Unknown and Fail) is a long
# list; these are the labels the test records use, plus Fink's own extragalactic classes.
BASE_EXTRAGALACTIC = ["Unknown", "Fail", "Fail 504", "Transient", "SN", "Candidate_SN*", "SN*_Candidate", "Galaxy"]
FINK_EXTRAGALACTIC = ["Kilonova candidate", "SN candidate", "Early SN Ia candidate", "Ambiguous"]
GRB_OBSERVATORY = ["Fermi", "SWIFT", "INTEGRAL"]
GW_OBSERVATORY = ["LVK"]


def generic_bronze_filter(fink_class, observatory, rb, obs_filter):
    f_obs = observatory.isin(obs_filter)
    f_bogus = rb >= 0.7
    f_class = fink_class.isin(BASE_EXTRAGALACTIC + FINK_EXTRAGALACTIC)
    return f_bogus & f_obs & f_class


def gold_cuts(rb, gcn_loc_error, rate):
    # grb_gold_events without the silver condition (unreachable in fink-mm since its #118).
    return (rb >= 0.9) & ((gcn_loc_error / 60) <= 5) & (rate.abs() > 0.3)


def main():
    data = json.load(sys.stdin)
    schema = fastavro.parse_schema(json.loads(data["key"]))
    rows = [fastavro.schemaless_reader(io.BytesIO(bytes.fromhex(v)), schema) for v in data["values"]]
    df = pd.DataFrame(rows)
    grb = generic_bronze_filter(df["fink_class"], df["observatory"], df["rb"], GRB_OBSERVATORY)
    gw = generic_bronze_filter(df["fink_class"], df["observatory"], df["rb"], GW_OBSERVATORY)
    gold = gold_cuts(df["rb"], df["gcn_loc_error"], df["rate"])
    for i in range(len(df)):
        print(json.dumps({"grb_bronze": bool(grb[i]), "gw_bronze": bool(gw[i]), "gold_cuts": bool(gold[i])}))


if __name__ == "__main__":
    main()
