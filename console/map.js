/* civgrid console — the map (地图, #/map or #/map/CODE), drawn with ECharts'
 * geo component from the region's own grid boundaries: no tile server,
 * nothing from the internet.
 *
 * GET /api/v1/map?scope= answers the scope's grids as GeoJSON (registered
 * as a map of its own) and its open cases, bounded whatever the volume:
 * at a town and below, points (1,000 at most, the nearest deadline first),
 * coloured by state, red when urgent or overdue; each grid shaded by the
 * points in it (hot spots); at a county or the city, one bubble a command
 * center, sized by its open cases.  The current hot spots
 * (/api/v1/hotspots) hatch their community's grids red, with a pin that
 * names the category and count.  A click on a point opens the case
 * (#/case/ID), on a bubble the center's own map (#/map/CODE).  Points of
 * one grid share its centre, so each is moved a little by its id, always
 * the same way, to be told apart.  The wall screen (wall.js) draws the
 * same map with cg.map.draw; the case page and the intake form draw the
 * small map of grids alone with cg.map.outline. */
'use strict';

(() => {
  const STATE_COLOURS = { dispatched: '#1677ff', accepted: '#13a8a8', returned: '#d48806',
                          suspended: '#8c8c8c', received: '#722ed1' };
  const ALARM = '#cf1322';

  /*  A small offset from the id (a hash), within a sixth of a 300 m grid. */
  function jitter (id) {
    let h = 2166136261;
    for (const ch of id) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
    const angle = ((h >>> 0) % 360) * Math.PI / 180, r = 0.0002 + ((h >>> 9) % 100) / 100 * 0.0005;
    return [Math.cos(angle) * r, Math.sin(angle) * r];
  }

  const alarmed = (p) => p.urgent || (p.alerts & (2 | 8));

  /*  A new chart in node (the old one disposed) with the grids (GeoJSON)
      registered as the map name; the node's font size, which labels
      and symbols scale with. */
  function fresh (node, name, grids) {
    echarts.registerMap(name, grids);
    const old = echarts.getInstanceByDom(node);
    if (old) old.dispose();
    node.textContent = '';
    return { name, chart: echarts.init(node), font: parseFloat(getComputedStyle(node).fontSize) || 16 };
  }

  /*  Draws the map of scope (a code; the operator's own when empty) into
      node; returns the answer of /api/v1/map with the chart. */
  async function draw (node, scope, options = {}) {
    const [data, spots] = await Promise.all([
      cg.api('/api/v1/map' + (scope ? '?scope=' + encodeURIComponent(scope) : '')), hotspots(scope)]);
    const { name, chart, font } = fresh(node, 'cg-' + data.scope, data.grids);
    const shade = data.grids.features.map(f => ({ name: f.properties.code, value: f.properties.open,
                                                  label: f.properties.name }));
    const most = Math.max(1, ...shade.map(s => s.value));
    const series = [{
      type: 'map', map: name, geoIndex: 0, name: '在办工单（网格）', nameProperty: 'code', data: shade,
    }];
    if (data.mode === 'points') {
      series.push({
        type: 'scatter', coordinateSystem: 'geo', name: '工单', symbolSize: Math.round(font * 0.7),
        data: data.points.map(p => {
          const [dx, dy] = jitter(p.id);
          return { id: p.id, name: p.id, value: [Number(p.lon) + dx, Number(p.lat) + dy],
                   state: p.state, urgent: p.urgent,
                   itemStyle: { color: alarmed(p) ? ALARM : (STATE_COLOURS[p.state] || '#595959'),
                                borderColor: p.urgent ? '#fff' : 'transparent', borderWidth: p.urgent ? 2 : 0 } };
        }),
        tooltip: { formatter: (q) => q.data.id + ' · ' + (cg.STATES[q.data.state] || q.data.state) +
                                     (q.data.urgent ? ' · 紧急' : '') },
      });
    }
    else {
      series.push({
        type: 'scatter', coordinateSystem: 'geo', name: '指挥中心',
        symbolSize: (v) => Math.round(font * (1 + Math.sqrt(v[2]) / 4)),
        data: data.clusters.filter(c => c.open).map(c => ({ name: c.name, code: c.code,
                                                            value: [c.lon, c.lat, c.open] })),
        label: { show: true, formatter: (q) => q.data.name + '\n' + q.data.value[2] + ' 件',
                 fontSize: Math.round(font * 0.8), color: '#1d2733' },
        itemStyle: { color: 'rgba(207, 19, 34, 0.55)' },
      });
    }
    const hot = hotLayers(data, spots, font);
    series.push(...hot.series);
    chart.setOption({
      animation: false,
      tooltip: {},
      geo: { map: name, roam: true, nameProperty: 'code', itemStyle: { borderColor: '#5c6b7a', areaColor: '#f0f5ff' },
             regions: hot.regions,
             label: { show: !!options.labels, formatter: (q) => q.name.slice(-3), fontSize: Math.round(font * 0.6) },
             emphasis: { label: { show: false } } },
      visualMap: { seriesIndex: 0, min: 0, max: most, calculable: false, orient: 'horizontal', left: 'left',
                   bottom: 0, text: ['多', '少'], inRange: { color: ['#f0f5ff', '#ffd591', '#ff7a45'] },
                   textStyle: { fontSize: Math.round(font * 0.7) } },
      series,
    });
    chart.on('click', (q) => {
      if (q.seriesType !== 'scatter') return;
      if (q.data.community) location.hash = '#/map/' + encodeURIComponent(q.data.community);
      else if (q.data.id) location.hash = '#/case/' + encodeURIComponent(q.data.id);
      else if (q.data.code) location.hash = '#/map/' + encodeURIComponent(q.data.code);
    });
    node.dataset.scope = data.scope;
    node.dataset.mode = data.mode;
    node.dataset.grids = String(data.grids.features.length);
    node.dataset.hot = String(hot.regions.length);
    node.dataset.drawn = String(Date.now());
    return { data, chart, spots };
  }

  /*  What the map shows, in words: the counts the answer gave. */
  function legend (data) {
    const shown = data.mode === 'points' ? data.points.length : data.clusters.reduce((n, c) => n + c.open, 0);
    return data.scope_name + '：在办 ' + data.total + ' 件' +
      (data.mode === 'points' ? '，图上 ' + shown + ' 件' + (data.partial ? '（期限最近的 ' + shown + ' 件）' : '')
                              : '，按指挥中心汇总') +
      (data.unplaced ? '，' + data.unplaced + ' 件未测绘位置' : '') +
      (data.grids_left_out ? '，另有 ' + data.grids_left_out + ' 个网格未画出' : '');
  }

  /*  The centre of a feature's box: where a grid's label goes. */
  function centre (feature) {
    const ring = feature.geometry.coordinates[0];
    const xs = ring.map(p => p[0]), ys = ring.map(p => p[1]);
    return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
  }

  /*  The current hot spots of scope (GET /api/v1/hotspots, 50 at most): a
      grid of a hot spot's community is hatched red and labelled with its
      category.  Empty when they cannot be read (the map still draws). */
  async function hotspots (scope) {
    try {
      return (await cg.api('/api/v1/hotspots?limit=50' + (scope ? '&scope=' + encodeURIComponent(scope) : ''))).hotspots;
    }
    catch (err) { return []; }
  }

  /*  geo.regions for the grids of hot communities, and a label series at
      the centre of each community's first grid. */
  function hotLayers (data, spots, font) {
    const by = new Map();
    for (const h of spots) {
      const names = by.get(h.community) || [];
      names.push(h.category_name + ' ' + h.count + ' 件');
      by.set(h.community, names);
    }
    const regions = [], labels = [], labelled = new Set();
    for (const f of data.grids.features) {
      const names = by.get(f.properties.community);
      if (!names) continue;
      regions.push({ name: f.properties.code,
                     itemStyle: { borderColor: ALARM, borderWidth: 2,
                                  decal: { symbol: 'rect', symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [2, 4],
                                           rotation: -Math.PI / 4, color: 'rgba(207, 19, 34, 0.35)' } } });
      if (labelled.has(f.properties.community)) continue;
      labelled.add(f.properties.community);
      // the label short (a town's communities sit side by side), the tooltip whole
      labels.push({ name: names[0].split(' ')[0] + (names.length > 1 ? ' 等 ' + names.length + ' 类' : ''),
                    whole: names.join('、'), value: centre(f), community: f.properties.community });
    }
    const series = labels.length ? [{
      type: 'scatter', coordinateSystem: 'geo', name: '热点', symbol: 'pin', symbolSize: Math.round(font * 1.6),
      itemStyle: { color: ALARM }, data: labels, z: 5,
      tooltip: { formatter: (q) => '热点：' + q.data.whole },
      label: { show: true, position: 'right', formatter: (q) => '热点：' + q.data.name,
               fontSize: Math.round(font * 0.75), color: ALARM, backgroundColor: 'rgba(255,255,255,0.85)', padding: 2 },
    }] : [];
    return { regions, series };
  }

  /*  A small map of scope's grids alone (GET /api/v1/map?cases=0): the
      grid `grid` filled, a pin at point ([lon, lat]) when given.  With
      options.pick(code, lon, lat) a click on a grid picks that place: the
      grid and the point clicked, which the pin then marks.  Returns the
      answer and the chart. */
  async function outline (node, scope, { grid, point, pick } = {}) {
    const data = await cg.api('/api/v1/map?cases=0' + (scope ? '&scope=' + encodeURIComponent(scope) : ''));
    const { name, chart, font } = fresh(node, 'cg-outline-' + data.scope, data.grids);
    /*  the grids as a map series too, whose clicks name the grid */
    const option = (g, p) => ({
      geo: { regions: g ? [{ name: g, itemStyle: { areaColor: '#91caff', borderColor: '#0958d9', borderWidth: 2 } }] : [] },
      series: [{ type: 'scatter', coordinateSystem: 'geo', name: '位置', symbol: 'pin', symbolSize: Math.round(font * 1.8),
                 itemStyle: { color: ALARM }, data: p ? [{ name: '位置', value: p }] : [] },
               { type: 'map', map: name, geoIndex: 0, nameProperty: 'code', name: '网格', emphasis: { label: { show: false } },
                 data: data.grids.features.map(f => ({ name: f.properties.code })) }],
    });
    const first = option(grid, point);
    chart.setOption({
      animation: false,
      tooltip: { formatter: (q) => (q.seriesType === 'scatter' ? '' : q.name) },
      geo: { map: name, roam: true, nameProperty: 'code', itemStyle: { borderColor: '#5c6b7a', areaColor: '#f0f5ff' },
             label: { show: false }, emphasis: { label: { show: false }, itemStyle: { areaColor: '#d6e4ff' } },
             select: { disabled: true }, regions: first.geo.regions },
      series: first.series,
    });
    if (pick)
      chart.on('click', (q) => {
        if (q.seriesType !== 'map' && q.componentType !== 'geo') return;
        const at = chart.convertFromPixel({ geoIndex: 0 }, [q.event.offsetX, q.event.offsetY]);
        if (!at) return;
        const lonlat = [Number(at[0].toFixed(6)), Number(at[1].toFixed(6))];
        chart.setOption(option(q.name, lonlat));
        node.dataset.grid = q.name;
        pick(q.name, lonlat[0], lonlat[1]);
      });
    node.dataset.scope = data.scope;
    node.dataset.grids = String(data.grids.features.length);
    node.dataset.grid = grid || '';
    node.dataset.point = point ? point.join(',') : '';
    node.dataset.drawn = String(Date.now());
    return { data, chart };
  }

  window.cg.map = { draw, legend, outline, hotspots };

  let live = null;
  cg.views.map = {
    title: '地图',
    render: async (section, params) => {
      if (params.changed) {           // a live change: redraw, at most every 10 s
        if (!live) live = setTimeout(() => { live = null; if (!section.hidden) cg.route(); }, 10000);
        return;
      }
      if (!section.dataset.built) {
        section.innerHTML = '<h2>地图 <small id="map-legend"></small></h2>' +
          '<p class="muted" id="map-up"></p><div id="map-chart" class="map"></div>' +
          '<p class="muted">点击工单打开详情；区县、全市按指挥中心汇总，点击进入该中心。颜色：' +
          Object.entries(STATE_COLOURS).map(([s, c]) => `<span style="color:${c}">●</span>${cg.STATES[s] || s}`).join(' ') +
          ` <span style="color:${ALARM}">●</span>紧急或超时</p>`;
        section.dataset.built = '1';
      }
      const { data } = await draw(section.querySelector('#map-chart'), params.path[0] || '', { labels: true });
      section.querySelector('#map-legend').textContent = legend(data);
      const up = section.querySelector('#map-up');
      up.textContent = '';
      if (params.path[0] && params.path[0] !== cg.me.scope) {
        const a = cg.el('a', '← 返回本辖区地图');
        a.href = '#/map';
        up.append(a);
      }
    },
  };
})();
