import json
from pathlib import Path

path = next(p for p in (Path("../bench/quality_cost.json"), Path("bench/quality_cost.json")) if p.exists())
rows = {r["model"]: r for r in json.loads(path.read_text())["tables"]["x2"] if r["kind"] == "zoo"}
answer = rows["fsrcnn"]["ms_per_mp"] / rows["espcn"]["ms_per_mp"]
