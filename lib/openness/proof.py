"""stub"""
def prove(ex, readings):
    return ex
