from srkit import zoo
from srkit.interpret import receptive_field

answer = receptive_field(zoo.load("fsrcnn", 3))
