import json
from pathlib import Path

path = next(p for p in (Path("../bench/training_efficiency.json"), Path("bench/training_efficiency.json")) if p.exists())
rows = json.loads(path.read_text())["summary"]["rows"]
answer = rows["fp32"]["time_to_target_s"] / rows["bf16"]["time_to_target_s"]
