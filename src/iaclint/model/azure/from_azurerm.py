def adapt(resources, model):
    pass
