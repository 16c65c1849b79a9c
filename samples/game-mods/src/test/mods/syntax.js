function onTick( {
