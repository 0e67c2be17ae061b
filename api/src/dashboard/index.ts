export { dashboardAssets, type DashboardAssetsOptions } from './dashboard-assets'
