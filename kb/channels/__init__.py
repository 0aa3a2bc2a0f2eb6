"""The hotline's other channels on the same library and FAQ: the 语音服务 menu, 业务辅导, 专题答疑 campaigns and the public portal's 法规库."""
