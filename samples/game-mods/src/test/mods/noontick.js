function onLoad() {}
