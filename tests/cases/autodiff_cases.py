"""Cases for the autodiff ops: identity, stop_gradient, and variable reads."""

from opcases import OpCase, rand

CASES = [
    OpCase("identity", lambda tf, x: tf.identity(x) * 2.0, [rand(3)], ["Identity"],
           lambda x: x * 2, grad=True),
    OpCase("stop_gradient", lambda tf, x: tf.stop_gradient(x) * x, [rand(3)], ["StopGradient"],
           lambda x: x * x, grad=False),
    OpCase("variable_read", lambda tf, x: tf.Variable(x) * 3.0, [rand(3)], ["ReadVariableOp"],
           lambda x: x * 3),
]
