from srkit.models.reparam import collapse, rep_espcn

model = rep_espcn(4)
answer = model.count_params() - collapse(model).count_params()
