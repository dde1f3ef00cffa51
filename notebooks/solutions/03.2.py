from srkit import zoo

t = zoo.results_table()
t = t[(t.dataset == 'Set14') & (t.scale == 4) & (t.input == 'single image')]
answer = t.sort_values('psnr').model.iloc[-1]
