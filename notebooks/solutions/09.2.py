from srkit import zoo
from srkit.lab import LabState, available_methods

lab = LabState()
lab.load_bundled('Set14/zebra')
lab.configure(scale=4, mode='degrade')
models = [m for m in available_methods(4) if m in {n for n, _ in zoo.available()}]
table = lab.run(models)
answer = table.loc[table[table.method.isin(models)].psnr.idxmax(), 'method']
